import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { duckdbVersion, withDuckDB } from './duck.js';
import { formatBytes, formatInt, formatMs } from './format.js';
import type { BenchContext } from './types.js';

/** What a cached input file was built from; a mismatch rebuilds it. */
interface InputMeta {
  name: string;
  version: number;
  rows: number;
  duckdb: string;
  builtAt: string;
  buildMs: number;
}

export interface InputSpec {
  /** Cache name, e.g. `orders` (the file is `<name>-<rows>.duckdb`). */
  name: string;
  /** Bump when `build` changes. */
  version: number;
  /** Statements that fill an empty database with `rows` rows. */
  statements(rows: number): string[];
}

/**
 * A generated DuckDB file, built once per (name, rows, version, DuckDB version) in the bench work
 * folder and reused by later runs; `--fresh` rebuilds it. Built under a temporary name, checkpointed
 * (no WAL left), then renamed, so an interrupted build never leaves a half file behind.
 */
export async function ensureInput(ctx: BenchContext, spec: InputSpec): Promise<string> {
  const dir = join(ctx.workDir, 'inputs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${spec.name}-${ctx.rows}.duckdb`);
  const metaFile = `${file}.json`;
  const wanted = { name: spec.name, version: spec.version, rows: ctx.rows, duckdb: duckdbVersion() };
  if (!ctx.fresh && existsSync(file) && !existsSync(`${file}.wal`) && existsSync(metaFile)) {
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as InputMeta;
      if (meta.name === wanted.name && meta.version === wanted.version && meta.rows === wanted.rows && meta.duckdb === wanted.duckdb) {
        ctx.log(`using cached ${file} (${formatBytes(statSync(file).size)}, built ${meta.builtAt})`);
        return file;
      }
    } catch {
      // Rebuild below.
    }
  }
  ctx.log(`generating ${file} (${formatInt(ctx.rows)} rows)…`);
  const tmp = join(dir, `.${spec.name}-${ctx.rows}-${process.pid}.tmp.duckdb`);
  for (const f of [tmp, `${tmp}.wal`, file, `${file}.wal`, metaFile]) rmSync(f, { force: true });
  const started = performance.now();
  await withDuckDB(tmp, async (q) => {
    for (const sql of spec.statements(ctx.rows)) await q.run(sql);
    await q.run('CHECKPOINT');
  });
  renameSync(tmp, file);
  const buildMs = performance.now() - started;
  const meta: InputMeta = { ...wanted, builtAt: new Date().toISOString(), buildMs: Math.round(buildMs) };
  writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  ctx.log(`generated in ${formatMs(buildMs)} (${formatBytes(statSync(file).size)})`);
  return file;
}

/** Removes a DuckDB file and its WAL. */
export function removeDatabaseFile(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
}
