/**
 * Shared pieces of the end-to-end tests: a small stand-in cloud file, snapshots of database files
 * (to prove that bad input changed nothing), lock holders in other processes, and assertions on the
 * CLI's output contract.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { exec } from '../helpers/duck.js';

/** Creates a small remote: a keyed table, a keyless table, and a table in a second schema. */
export async function createRemote(path: string): Promise<void> {
  await exec(
    path,
    `CREATE TABLE emails (id INTEGER PRIMARY KEY, sender VARCHAR NOT NULL, subject VARCHAR, size_kb DECIMAL(10, 2), received_at TIMESTAMP)`,
    `INSERT INTO emails SELECT i, 'sender' || (i % 13) || '@example.com', 'Subject ' || i, round(i / 7.0, 2),
       TIMESTAMP '2024-01-01 00:00:00' + to_minutes(i) FROM range(1, 1001) t(i)`,
    `CREATE TABLE events (kind VARCHAR, n INTEGER)`,
    `INSERT INTO events SELECT 'kind' || (i % 5), i % 3 FROM range(0, 300) t(i)`,
    `CREATE SCHEMA analytics`,
    `CREATE TABLE analytics.daily (day DATE PRIMARY KEY, total BIGINT)`,
    `INSERT INTO analytics.daily SELECT DATE '2024-01-01' + i::INTEGER, i * 10 FROM range(0, 30) t(i)`,
  );
}

/** Opens a file read-only (no checkpoint, no WAL replay written back) and runs `body`. */
export async function readOnly<T>(path: string, body: (all: (sql: string) => Promise<Array<Record<string, unknown>>>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return await body(async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Every table of a file (user tables and duckdb-sync's own), rows sorted: equal dumps mean equal data. */
export async function dumpDatabase(path: string): Promise<string> {
  return readOnly(path, async (all) => {
    const tables = await all(
      `SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary ORDER BY ALL`,
    );
    const out: Record<string, unknown> = {};
    for (const t of tables) {
      const name = `"${String(t.schema_name)}"."${String(t.table_name)}"`;
      out[name] = await all(`SELECT * FROM ${name} ORDER BY ALL`);
    }
    return JSON.stringify(out);
  });
}

/** What a database file holds, as bytes and as content; null when the file does not exist. */
export interface FileSnapshot {
  sha256: string;
  dump: string;
  wal: boolean;
}

export async function snapshot(path: string): Promise<FileSnapshot | null> {
  if (!existsSync(path)) return null;
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  const wal = existsSync(`${path}.wal`);
  return { sha256, wal, dump: await dumpDatabase(path) };
}

/** Files below `dir` (recursively). */
export function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesBelow(p) : [p];
  });
}

/** Parses stdout as exactly one JSON document (JSON.parse rejects anything before or after it). */
export function parseOneJson(stdout: string): Record<string, unknown> {
  assert.ok(stdout.trim().length > 0, 'stdout is empty, expected one JSON document');
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch (error) {
    assert.fail(`stdout is not exactly one JSON document (${String(error)}):\n${stdout}`);
  }
  assert.equal(typeof value, 'object');
  assert.ok(value !== null && !Array.isArray(value), 'the JSON document is an object');
  return value as Record<string, unknown>;
}

/** stderr of a failed run: first line `duckdb-sync: <message>`, then `hint: …`, no stack trace. */
export function assertCleanError(stderr: string, message: RegExp): { message: string; hint: string } {
  const lines = stderr.split('\n').filter((l) => l.length > 0);
  const first = lines[0] ?? '';
  assert.match(first, /^duckdb-sync: \S/, `stderr starts with "duckdb-sync:"\n${stderr}`);
  assert.match(first, message, `message of:\n${stderr}`);
  assert.match(lines[1] ?? '', /^hint: \S/, `a hint line follows the message\n${stderr}`);
  assert.ok(!lines.some((l) => l.startsWith('    at ')), `no stack trace without --verbose:\n${stderr}`);
  return { message: first.slice('duckdb-sync: '.length), hint: (lines[1] ?? '').slice('hint: '.length) };
}

/** The error document of a failed `--json` run. */
export function assertJsonError(stdout: string, code: string, message: RegExp): void {
  const doc = parseOneJson(stdout);
  assert.equal(doc.ok, false);
  const error = doc.error as Record<string, unknown> | undefined;
  assert.ok(error && typeof error === 'object', `error object in ${stdout}`);
  assert.equal(error.code, code);
  assert.equal(typeof error.message, 'string');
  assert.match(error.message as string, message);
  assert.equal(typeof error.hint, 'string');
  assert.ok((error.hint as string).length > 0);
}

export { holdFile, type LockHolder } from '../helpers/holdFile.js';
