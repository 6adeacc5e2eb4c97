import { formatBytes, formatMs } from './format.js';
import { assertSucceeded, runNode, type ProcessSample } from './measure.js';
import { median } from './stats.js';
import type { BenchContext, SideResult } from './types.js';

/**
 * The timed steps of a scenario that runs a chain of whole processes (scale, partial): each step
 * run, checked, kept by its id and logged; medians and peaks by id afterwards.
 */
export function stepRecorder<Id extends string>(ctx: BenchContext, scenario: string, labels: Record<Id, string>, options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const ids = Object.keys(labels) as Id[];
  const samples = new Map<Id, ProcessSample[]>(ids.map((id) => [id, []]));
  return {
    /** Runs one step; `check` may name what is wrong with its output. */
    async step(id: Id, args: string[], check?: (sample: ProcessSample) => string | undefined): Promise<ProcessSample> {
      const sample = await runNode(args, options);
      assertSucceeded(`${scenario} / ${labels[id]}`, sample);
      const problem = check?.(sample);
      if (problem) throw new Error(`${scenario} / ${labels[id]}: ${problem}`);
      samples.get(id)?.push(sample);
      ctx.log(`  ${labels[id]}: ${formatMs(sample.wallMs)}, peak ${formatBytes(sample.peakRssBytes)}`);
      return sample;
    },
    wall: (id: Id): number => median((samples.get(id) ?? []).map((s) => s.wallMs)),
    peak: (id: Id): number => Math.max(...(samples.get(id) ?? []).map((s) => s.peakRssBytes)),
    sides: (): SideResult[] => ids.map((id) => ({ label: labels[id], command: id, samples: samples.get(id) ?? [] })),
  };
}
