/**
 * ARCHITECTURE.md, checked: the layers and what each may import, the remote seam (no code above
 * `src/remote/` tests the remote's kind), the sync state (named only in `engine/state/`), the
 * remote's state tables (named only in `engine/state/remote/`), the engine's folders (at most 15 files each, no file in a concept folder imports the root files
 * that drive it), no import cycle between files, the size of files, and that every file it names exists.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(fileURLToPath(new URL('../../src', import.meta.url)));

/** Layers from the bottom up, as in ARCHITECTURE.md; a file imports only from its own layer or below. */
const LAYERS: string[][] = [
  ['errors.ts', 'log', 'config'],
  ['duckdb'],
  ['remote'],
  ['db'],
  ['sql'],
  ['engine'],
  ['run'],
  ['tracking'],
  ['schedule', 'demo'],
  ['cli', 'index.ts'],
];

/** Top-level areas of the same layer that must not import each other. */
const APART: Array<[string, string]> = [
  ['cli', 'index.ts'],
  ['schedule', 'demo'],
  ['errors.ts', 'log'],
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return name.endsWith('.ts') ? [p] : [];
  });
}

const FILES = tsFiles(SRC);

function area(file: string): string {
  return relative(SRC, file).split('/')[0] as string;
}

function layerOf(file: string): number {
  const a = area(file);
  const i = LAYERS.findIndex((l) => l.includes(a));
  assert.ok(i >= 0, `${relative(SRC, file)} is in no layer of ARCHITECTURE.md`);
  return i;
}

/** Relative imports of a file, resolved to .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.[^']+)\.js'/g)].map((m) => resolve(dirname(file), `${m[1] as string}.ts`));
}

describe('ARCHITECTURE.md holds', () => {
  test('every import goes to the same layer or below', () => {
    const wrong: string[] = [];
    for (const file of FILES) {
      for (const target of importsOf(file)) {
        if (layerOf(target) > layerOf(file)) wrong.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('every path ARCHITECTURE.md names exists (a .ts file under src/, test/, bench/ or scripts/, or a folder of src/)', () => {
    const root = resolve(SRC, '..');
    const repoFiles = ['src', 'test', 'bench', 'scripts'].flatMap((d) => {
      try {
        return tsFiles(join(root, d)).map((f) => `/${relative(root, f)}`);
      } catch {
        return [];
      }
    });
    const text = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8');
    const named = new Set([...text.matchAll(/`([\w./-]+\.ts)`/g)].map((m) => m[1] as string));
    assert.ok(named.size > 20, `ARCHITECTURE.md names ${named.size} files`);
    const missing = [...named].filter((n) => !repoFiles.some((f) => f.endsWith(`/${n.replace(/^\.\//, '')}`)));
    assert.deepEqual(missing, []);
    const folders = new Set([...text.matchAll(/`((?:src\/)?[a-z][\w/-]*\/)`/g)].map((m) => (m[1] as string).replace(/^src\//, '')));
    assert.ok(folders.size > 10, `ARCHITECTURE.md names ${folders.size} folders`);
    const srcFolders = new Set(FILES.map((f) => `${relative(SRC, dirname(f))}/`));
    const missingFolders = [...folders].filter((d) => ![...srcFolders].some((f) => f === d || f.endsWith(`/${d}`) || f.startsWith(d)));
    assert.deepEqual(missingFolders, []);
  });

  test('no import cycle between src files (type-only imports and re-exports included)', () => {
    // Strongly connected groups of the import graph (Tarjan): any group of two or more files is a cycle.
    const graph = new Map(FILES.map((f) => [f, importsOf(f)]));
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[] = [];
    const visit = (v: string): void => {
      index.set(v, index.size);
      low.set(v, index.get(v) as number);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
      if (low.get(v) !== index.get(v)) return;
      const group: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w !== undefined) {
          onStack.delete(w);
          group.push(relative(SRC, w));
        }
      } while (w !== undefined && w !== v);
      if (group.length > 1) cycles.push(group.sort().join(' ↔ '));
    };
    for (const file of FILES) if (!index.has(file)) visit(file);
    assert.deepEqual(cycles, []);
  });

  test('areas of one layer that stay apart do not import each other (the front ends among them)', () => {
    const wrong: string[] = [];
    for (const file of FILES) {
      for (const target of importsOf(file)) {
        const pair = [area(file), area(target)];
        if (APART.some(([a, b]) => (pair[0] === a && pair[1] === b) || (pair[0] === b && pair[1] === a))) wrong.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('the remote seam: no code outside src/remote/ tests the kind of a remote', () => {
    const wrong = FILES.filter((f) => area(f) !== 'remote' && area(f) !== 'cli')
      .filter((f) => /\bkind\s*===?\s*'(file|motherduck)'|'(file|motherduck)'\s*===?\s*\S*kind\b|instanceof (FileRemote|MotherDuckRemote)/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    assert.deepEqual(wrong, []);
  });

  test("only engine/state/ names duckdb-sync's own tables (so every statement on them is there)", () => {
    const names = /\b(STATE_SCHEMA|METADATA_TABLE|STATUS_TABLE|CONFLICTS_TABLE|DIRTY_TABLE)\b|'(_duckdb_sync|dewey_sync_\w+)'/;
    const wrong = FILES.filter((f) => !relative(SRC, f).startsWith('engine/state/') && names.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
    assert.deepEqual(wrong, []);
  });

  test("only engine/state/remote/ names duckdb-sync's tables on the remote (so its layout says which state statements cost a round trip)", () => {
    const remoteState = /qualify\(db\.remote\.catalog,\s*STATE_SCHEMA|remoteTables\.\w+\(STATE_SCHEMA|\$\{db\.remote\.catalog\}\.\$\{STATE_SCHEMA/;
    const wrong = FILES.filter((f) => !relative(SRC, f).startsWith('engine/state/remote/') && remoteState.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
    assert.deepEqual(wrong, []);
    assert.ok(FILES.some((f) => relative(SRC, f).startsWith('engine/state/remote/') && remoteState.test(readFileSync(f, 'utf8'))), 'the pattern finds the remote state files');
  });

  test("a pair's remote table is named in one place (catalog/tablePair.ts), so every read goes through a partial replica's scope", () => {
    const wrong = FILES.filter((f) => relative(SRC, f) !== 'engine/catalog/tablePair.ts' && /qualify\(db\.remote\.catalog,\s*pair\.remote\.schema,\s*pair\.remote\.table\)/.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
    assert.deepEqual(wrong, []);
  });

  test('engine concept folders never import the root files that drive them', () => {
    const drivers = ['syncTable.ts', 'syncTables.ts', 'verifyTable.ts'].map((f) => join(SRC, 'engine', f));
    const wrong: string[] = [];
    for (const file of FILES.filter((f) => relative(SRC, f).startsWith('engine/') && relative(SRC, f).split('/').length > 2)) {
      for (const target of importsOf(file)) if (drivers.includes(target)) wrong.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
    }
    assert.deepEqual(wrong, []);
  });

  // A file of one concept may be long (splitting it only to meet a cap scatters the concept); past
  // 400 lines it most likely holds two.
  test('no folder holds more than 15 files, no file more than 400 lines', () => {
    const folders = new Map<string, number>();
    for (const f of FILES) folders.set(dirname(f), (folders.get(dirname(f)) ?? 0) + 1);
    assert.deepEqual([...folders].filter(([, n]) => n > 15).map(([d]) => relative(SRC, d)), []);
    const long = FILES.filter((f) => readFileSync(f, 'utf8').split('\n').length > 400).map((f) => relative(SRC, f));
    assert.deepEqual(long, []);
  });
});
