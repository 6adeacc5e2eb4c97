import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResolvedConfig } from '../../src/config/resolvedConfig.js';
import type { TableSettings } from '../../src/config/schema.js';
import type { TableInfo } from '../../src/engine/catalog/catalog.js';
import { selectTables } from '../../src/engine/catalog/selectTables.js';
import { buildTablePair, splitName } from '../../src/engine/catalog/tablePair.js';
import { ConfigError, UnknownTableError } from '../../src/errors.js';

function table(schema: string, name: string, columns: string[], primaryKey: string[] = []): TableInfo {
  return { schema, name, columns: columns.map((c) => ({ name: c, type: c === 'id' ? 'INTEGER' : 'VARCHAR', notNull: primaryKey.includes(c) })), primaryKey };
}

const REMOTE: TableInfo[] = [
  table('main', 'emails', ['id', 'subject', 'body'], ['id']),
  table('main', 'events', ['ts', 'kind']),
  table('analytics', 'daily', ['day', 'total'], ['day']),
  table('crm', 'contacts', ['id', 'email', 'name'], ['id']),
];

function config(parts: Partial<Pick<ResolvedConfig, 'include' | 'exclude' | 'tables'>> = {}): ResolvedConfig {
  return {
    local: '/tmp/l.duckdb',
    remote: '/tmp/r.duckdb',
    motherduckToken: undefined,
    logDir: '/tmp/logs',
    cacheDir: '/tmp/cache',
    memoryLimit: '600MB',
    maxTransactionRows: undefined,
    include: parts.include,
    exclude: parts.exclude ?? [],
    pushObjects: false,
    mode: 'full',
    onConflict: 'remote-wins',
    conflictRetentionDays: 90,
    maxRetries: 0,
    retryDelayMs: 1,
    tables: parts.tables ?? {},
    configPath: undefined,
  };
}

const names = (pairs: Array<{ name: string }>): string[] => pairs.map((p) => p.name);

function assertUnknown(fn: () => unknown, table: string, listed: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UnknownTableError, `expected UnknownTableError, got ${String(e)}`);
    assert.equal(e.table, table);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, new RegExp(`unknown table: ${table.replace(/\./g, '\\.')}`));
    for (const name of listed) assert.ok(e.hint?.includes(name), `hint lists ${name}: ${e.hint}`);
    return true;
  });
}

describe('selectTables', () => {
  test('a DuckLake remote (no primary keys): a table is keyed by the local primary key, unless the config names a key', () => {
    const remote = [table('main', 'orders', ['id', 'qty'])];
    const local = [table('main', 'orders', ['id', 'qty'], ['id'])];
    assert.deepEqual(selectTables(remote, local, config(), {}, 'ducklake')[0]?.key, ['id']);
    assert.deepEqual(selectTables(remote, local, config(), {})[0]?.key, [], 'DuckDB storage: the remote says the table has no key');
    assert.deepEqual(selectTables(remote, local, config({ tables: { orders: { key: ['qty'] } } }), {}, 'ducklake')[0]?.key, ['qty']);
  });

  test('every remote table by default, named schema.table outside main', () => {
    assert.deepEqual(names(selectTables(REMOTE, [], config(), {})), ['emails', 'events', 'analytics.daily', 'crm.contacts']);
  });

  test('table name mapping: a remote table gets its local name', () => {
    const pairs = selectTables(REMOTE, [], config({ tables: { people: { remoteTable: 'crm.contacts' } } }), {});
    assert.deepEqual(names(pairs), ['emails', 'events', 'analytics.daily', 'people']);
    const people = pairs.find((p) => p.name === 'people');
    assert.deepEqual(people?.local, { schema: 'main', table: 'people' });
    assert.deepEqual(people?.remote, { schema: 'crm', table: 'contacts' });
  });

  test('mapping into another local schema', () => {
    const pairs = selectTables(REMOTE, [], config({ tables: { 'reporting.mail': { remoteTable: 'emails' } } }), { tables: ['reporting.mail'] });
    assert.equal(pairs.length, 1);
    assert.deepEqual(pairs[0]?.local, { schema: 'reporting', table: 'mail' });
    assert.deepEqual(pairs[0]?.remote, { schema: 'main', table: 'emails' });
  });

  test('--table by local name, by remote name, and main.<table>', () => {
    const c = config({ tables: { people: { remoteTable: 'crm.contacts' } } });
    assert.deepEqual(names(selectTables(REMOTE, [], c, { tables: ['people'] })), ['people']);
    assert.deepEqual(names(selectTables(REMOTE, [], c, { tables: ['crm.contacts'] })), ['people']);
    assert.deepEqual(names(selectTables(REMOTE, [], c, { tables: ['main.emails', 'analytics.daily'] })), ['emails', 'analytics.daily']);
    // The same table named twice is synced once.
    assert.deepEqual(names(selectTables(REMOTE, [], c, { tables: ['people', 'crm.contacts'] })), ['people']);
  });

  test('--table wins over the config include', () => {
    const c = config({ include: ['emails'] });
    assert.deepEqual(names(selectTables(REMOTE, [], c, {})), ['emails']);
    assert.deepEqual(names(selectTables(REMOTE, [], c, { tables: ['events'] })), ['events']);
  });

  test('an unknown --table is an UnknownTableError listing the available tables', () => {
    assertUnknown(() => selectTables(REMOTE, [], config(), { tables: ['emails', 'nope'] }), 'nope', ['emails', 'events', 'analytics.daily', 'crm.contacts']);
  });

  test('an unknown table in the config include is an error too', () => {
    assertUnknown(() => selectTables(REMOTE, [], config({ include: ['gone'] }), {}), 'gone', ['emails']);
  });

  test('with no remote tables the hint says so', () => {
    assert.throws(() => selectTables([], [], config(), { tables: ['x'] }), (e: unknown) => e instanceof UnknownTableError && /no user tables/.test(e.hint ?? ''));
  });

  test('exclude from the config, the flag, and a table entry', () => {
    const c = config({ exclude: ['events'], tables: { 'analytics.daily': { exclude: true } } });
    assert.deepEqual(names(selectTables(REMOTE, [], c, {})), ['emails', 'crm.contacts']);
    assert.deepEqual(names(selectTables(REMOTE, [], c, { exclude: ['crm.contacts'] })), ['emails']);
  });

  test('exclude by remote name of a mapped table', () => {
    const c = config({ tables: { people: { remoteTable: 'crm.contacts' } } });
    assert.deepEqual(names(selectTables(REMOTE, [], c, { exclude: ['crm.contacts'] })), ['emails', 'events', 'analytics.daily']);
    assert.deepEqual(names(selectTables(REMOTE, [], config({ ...c, exclude: ['crm.contacts'] }), {})), ['emails', 'events', 'analytics.daily']);
  });

  test('a config exclude of a table the remote does not have is ignored', () => {
    assert.deepEqual(names(selectTables(REMOTE, [], config({ exclude: ['old_table'] }), {})), ['emails', 'events', 'analytics.daily', 'crm.contacts']);
  });

  test('a flag exclude of an unknown table is an error', () => {
    assertUnknown(() => selectTables(REMOTE, [], config(), { exclude: ['old_table'] }), 'old_table', ['emails']);
  });

  test('local tables: a remote twin makes one pair; a local-only table is a pair of its own', () => {
    const local = [table('main', 'emails', ['id', 'subject', 'body'], ['id']), table('main', 'notes', ['id', 'text'], ['id'])];
    const pairs = selectTables(REMOTE, local, config(), {});
    assert.deepEqual(names(pairs), ['emails', 'events', 'analytics.daily', 'crm.contacts', 'notes']);
    assert.deepEqual(
      pairs.map((p) => Boolean(p.localOnly)),
      [false, false, false, false, true],
    );
    const notes = pairs.find((p) => p.name === 'notes');
    assert.deepEqual(notes?.key, ['id']);
    assert.deepEqual(notes?.remote, { schema: 'main', table: 'notes' });
    // A local-only table can be named with --table, and an unknown name still fails.
    assert.deepEqual(names(selectTables(REMOTE, local, config(), { tables: ['notes'] })), ['notes']);
    assertUnknown(() => selectTables(REMOTE, local, config(), { tables: ['nope'] }), 'nope', ['notes']);
  });

  test('--table and exclude of the same table leaves nothing', () => {
    assert.deepEqual(selectTables(REMOTE, [], config(), { tables: ['emails'], exclude: ['emails'] }), []);
  });
});

describe('buildTablePair', () => {
  const contacts = REMOTE[3] as TableInfo;

  test('without settings: same names, primary key from the remote', () => {
    const pair = buildTablePair(contacts, 'crm.contacts', {});
    assert.equal(pair.name, 'crm.contacts');
    assert.deepEqual(pair.local, { schema: 'crm', table: 'contacts' });
    assert.deepEqual(
      pair.columns.map((c) => [c.local, c.remote, c.type, c.notNull]),
      [
        ['id', 'id', 'INTEGER', true],
        ['email', 'email', 'VARCHAR', false],
        ['name', 'name', 'VARCHAR', false],
      ],
    );
    assert.deepEqual(pair.key, ['id']);
  });

  test('column mapping: local name → remote name, key named locally', () => {
    const pair = buildTablePair(contacts, 'people', { columns: { person_id: 'id', email_address: 'email' } });
    assert.deepEqual(
      pair.columns.map((c) => [c.local, c.remote]),
      [
        ['person_id', 'id'],
        ['email_address', 'email'],
        ['name', 'name'],
      ],
    );
    assert.deepEqual(pair.key, ['person_id']);
  });

  test('mapping to a remote column that does not exist is a ConfigError naming the field', () => {
    assert.throws(
      () => buildTablePair(contacts, 'people', { columns: { mail: 'e_mail' } }),
      (e: unknown) => e instanceof ConfigError && /tables\.people\.columns/.test(e.message) && /e_mail/.test(e.message),
    );
  });

  test('key override from the config (keyless remote table)', () => {
    const events = REMOTE[1] as TableInfo;
    assert.deepEqual(buildTablePair(events, 'events', {}).key, []);
    assert.deepEqual(buildTablePair(events, 'events', { key: ['ts', 'kind'] }).key, ['ts', 'kind']);
  });

  test('key override uses local column names', () => {
    const settings: TableSettings = { columns: { mail: 'email' }, key: ['mail'] };
    assert.deepEqual(buildTablePair(contacts, 'people', settings).key, ['mail']);
  });

  test('a key naming a column the table does not have is a ConfigError', () => {
    assert.throws(
      () => buildTablePair(contacts, 'people', { key: ['missing_col'] }),
      (e: unknown) => e instanceof ConfigError && /tables\.people\.key/.test(e.message) && /missing_col/.test(e.message),
    );
    // The remote name of a mapped column is not a local column name.
    assert.throws(() => buildTablePair(contacts, 'people', { columns: { mail: 'email' }, key: ['email'] }), ConfigError);
  });

  test('selectTables applies the table settings by local name', () => {
    const pairs = selectTables(REMOTE, [], config({ tables: { people: { remoteTable: 'crm.contacts', columns: { mail: 'email' } }, events: { key: ['ts'] } } }), {
      tables: ['people', 'events'],
    });
    assert.deepEqual(pairs.map((p) => [p.name, p.key, p.columns.map((c) => c.local)]), [
      ['people', ['id'], ['id', 'mail', 'name']],
      ['events', ['ts'], ['ts', 'kind']],
    ]);
  });

  test('a bad key in the config fails selectTables with a ConfigError', () => {
    assert.throws(() => selectTables(REMOTE, [], config({ tables: { emails: { key: ['nope'] } } }), {}), ConfigError);
  });
});

test('splitName', () => {
  assert.deepEqual(splitName('emails'), { schema: 'main', table: 'emails' });
  assert.deepEqual(splitName('analytics.daily'), { schema: 'analytics', table: 'daily' });
});
