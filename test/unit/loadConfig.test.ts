import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig, readConfigFile } from '../../src/config/loadConfig.js';
import { DEFAULTS } from '../../src/config/resolvedConfig.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../helpers/tempDir.js';

const root = tempDir();
let counter = 0;

/** A fresh empty folder inside the test's temp dir. */
function freshDir(): string {
  const dir = join(root, `case-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Asserts that `fn` throws a ConfigError whose message matches every pattern. */
function assertConfigError(fn: () => unknown, ...patterns: RegExp[]): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.equal(caught.code, 'E_CONFIG');
  assert.equal(caught.exitCode, 2);
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}

describe('loadConfig precedence: flag > env > file > default', () => {
  const fileText = JSON.stringify({
    local: 'file-local.duckdb',
    remote: 'md:from_file',
    motherduckToken: 'file-token',
    mode: 'incremental',
    onConflict: 'fail',
    retry: { maxRetries: 9, delayMs: 42 },
  });

  test('the file wins over the defaults', () => {
    const dir = freshDir();
    write(dir, 'duckdb-sync.config.json', fileText);
    const c = loadConfig({ cwd: dir, env: {} });
    assert.equal(c.local, join(dir, 'file-local.duckdb'));
    assert.equal(c.remote, 'md:from_file');
    assert.equal(c.motherduckToken, 'file-token');
    assert.equal(c.mode, 'incremental');
    assert.equal(c.onConflict, 'fail');
    assert.equal(c.maxRetries, 9);
    assert.equal(c.retryDelayMs, 42);
    assert.equal(c.configPath, join(dir, 'duckdb-sync.config.json'));
  });

  test('the environment wins over the file', () => {
    const dir = freshDir();
    write(dir, 'duckdb-sync.config.json', fileText);
    const c = loadConfig({
      cwd: dir,
      env: { DUCKDB_SYNC_LOCAL: 'env-local.duckdb', DUCKDB_SYNC_REMOTE: 'md:from_env', MOTHERDUCK_TOKEN: 'env-token' },
    });
    assert.equal(c.local, join(dir, 'env-local.duckdb'));
    assert.equal(c.remote, 'md:from_env');
    assert.equal(c.motherduckToken, 'env-token');
  });

  test('the lower-case motherduck_token variable is honoured too', () => {
    const dir = freshDir();
    const c = loadConfig({ cwd: dir, env: { motherduck_token: 'lower-token' }, overrides: { local: 'a.duckdb', remote: 'md:x' } });
    assert.equal(c.motherduckToken, 'lower-token');
  });

  test('flags win over the environment and the file', () => {
    const dir = freshDir();
    write(dir, 'duckdb-sync.config.json', fileText);
    const c = loadConfig({
      cwd: dir,
      env: { DUCKDB_SYNC_LOCAL: 'env-local.duckdb', DUCKDB_SYNC_REMOTE: 'md:from_env', MOTHERDUCK_TOKEN: 'env-token' },
      overrides: { local: 'flag-local.duckdb', remote: 'md:from_flag', motherduckToken: 'flag-token', mode: 'full', onConflict: 'local-wins', maxRetries: 1, retryDelayMs: 7 },
    });
    assert.equal(c.local, join(dir, 'flag-local.duckdb'));
    assert.equal(c.remote, 'md:from_flag');
    assert.equal(c.motherduckToken, 'flag-token');
    assert.equal(c.mode, 'full');
    assert.equal(c.onConflict, 'local-wins');
    assert.equal(c.maxRetries, 1);
    assert.equal(c.retryDelayMs, 7);
  });

  test('empty environment variables count as unset', () => {
    const dir = freshDir();
    write(dir, 'duckdb-sync.config.json', fileText);
    const c = loadConfig({ cwd: dir, env: { DUCKDB_SYNC_LOCAL: '', DUCKDB_SYNC_REMOTE: '', MOTHERDUCK_TOKEN: '' } });
    assert.equal(c.local, join(dir, 'file-local.duckdb'));
    assert.equal(c.remote, 'md:from_file');
    assert.equal(c.motherduckToken, 'file-token');
  });

  test('defaults apply when nothing else is given', () => {
    const dir = freshDir();
    const c = loadConfig({ cwd: dir, env: {}, overrides: { local: 'l.duckdb', remote: 'r.duckdb' } });
    assert.equal(c.mode, DEFAULTS.mode);
    assert.equal(c.onConflict, DEFAULTS.onConflict);
    assert.equal(c.maxRetries, DEFAULTS.maxRetries);
    assert.equal(c.retryDelayMs, DEFAULTS.retryDelayMs);
    assert.equal(c.logDir, join(dir, DEFAULTS.logDir));
    assert.equal(c.motherduckToken, undefined);
    assert.equal(c.include, undefined);
    assert.deepEqual(c.exclude, []);
    assert.deepEqual(c.tables, {});
    assert.equal(c.configPath, undefined);
    assert.equal(c.memoryLimit, 'auto');
  });

  test('memoryLimit: flag > DUCKDB_SYNC_MEMORY_LIMIT > file > auto; a value that is not a size is refused (exit 2)', () => {
    const dir = freshDir();
    const path = write(dir, 'c.json', JSON.stringify({ memoryLimit: '2GB' }));
    const load = (env: NodeJS.ProcessEnv, memoryLimit?: string): string =>
      loadConfig({ cwd: dir, env, configPath: path, requireDatabases: false, overrides: { memoryLimit } }).memoryLimit;
    assert.equal(load({}), '2GB');
    assert.equal(load({ DUCKDB_SYNC_MEMORY_LIMIT: '1.5GiB' }), '1.5GiB');
    assert.equal(load({ DUCKDB_SYNC_MEMORY_LIMIT: '1.5GiB' }, 'default'), 'default');
    assert.equal(load({}, 'auto'), 'auto');
    assert.equal(load({}, 'AUTO:1.5GB'), 'AUTO:1.5GB');
    assert.equal(load({ DUCKDB_SYNC_MEMORY_LIMIT: 'auto: 800MB' }), 'auto: 800MB');
    assertConfigError(() => load({}, 'auto:'), /invalid memory limit: auto:/);
    assertConfigError(() => load({}, 'auto:lots'), /invalid memory limit: auto:lots/);
    assertConfigError(() => load({}, 'lots'), /invalid memory limit: lots/);
    assertConfigError(() => load({ DUCKDB_SYNC_MEMORY_LIMIT: '12' }), /invalid memory limit: 12/);
    const bad = write(dir, 'bad.json', JSON.stringify({ memoryLimit: '2 gallons' }));
    assertConfigError(() => loadConfig({ cwd: dir, env: {}, configPath: bad, requireDatabases: false }), /memoryLimit/);
  });
});

describe('loadConfig file formats and discovery', () => {
  test('reads a YAML file with table settings', () => {
    const dir = freshDir();
    write(
      dir,
      'duckdb-sync.config.yaml',
      [
        'local: data/local.duckdb',
        'remote: md:analytics',
        'include: [emails, people]',
        'exclude: [scratch]',
        'tables:',
        '  emails:',
        '    key: [id]',
        '    cursor: updated_at',
        '  people:',
        '    remoteTable: crm.contacts',
        '    columns:',
        '      email_address: email',
        '',
      ].join('\n'),
    );
    const c = loadConfig({ cwd: dir, env: {} });
    assert.equal(c.configPath, join(dir, 'duckdb-sync.config.yaml'));
    assert.equal(c.local, join(dir, 'data', 'local.duckdb'));
    assert.equal(c.remote, 'md:analytics');
    assert.deepEqual(c.include, ['emails', 'people']);
    assert.deepEqual(c.exclude, ['scratch']);
    assert.deepEqual(c.tables, {
      emails: { key: ['id'], cursor: 'updated_at' },
      people: { remoteTable: 'crm.contacts', columns: { email_address: 'email' } },
    });
  });

  test('discovers .yml when it is the only config file', () => {
    const dir = freshDir();
    write(dir, 'duckdb-sync.config.yml', 'local: from-yml.duckdb\nremote: md:yml\n');
    const c = loadConfig({ cwd: dir, env: {} });
    assert.equal(c.configPath, join(dir, 'duckdb-sync.config.yml'));
    assert.equal(c.remote, 'md:yml');
  });

  test('discovery prefers .json, then .yaml, then .yml', () => {
    const dir = freshDir();
    write(dir, 'duckdb-sync.config.yml', 'local: a.duckdb\nremote: md:yml\n');
    write(dir, 'duckdb-sync.config.yaml', 'local: a.duckdb\nremote: md:yaml\n');
    assert.equal(loadConfig({ cwd: dir, env: {} }).remote, 'md:yaml');
    write(dir, 'duckdb-sync.config.json', '{"local": "a.duckdb", "remote": "md:json"}');
    assert.equal(loadConfig({ cwd: dir, env: {} }).remote, 'md:json');
  });

  test('no config file in cwd: no config is read', () => {
    const dir = freshDir();
    write(dir, 'other-name.json', '{"remote": "md:ignored"}');
    const c = loadConfig({ cwd: dir, env: {}, requireDatabases: false });
    assert.equal(c.configPath, undefined);
    assert.equal(c.remote, '');
  });

  test('an explicit --config path is read, relative to cwd', () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'conf'));
    write(join(dir, 'conf'), 'custom.yaml', 'local: l.duckdb\nremote: r.duckdb\n');
    // A discoverable file in cwd is ignored when --config is given.
    write(dir, 'duckdb-sync.config.json', '{"remote": "md:discovered"}');
    const c = loadConfig({ cwd: dir, env: {}, configPath: 'conf/custom.yaml' });
    assert.equal(c.configPath, join(dir, 'conf', 'custom.yaml'));
    assert.equal(c.remote, join(dir, 'conf', 'r.duckdb'));
  });

  test('an empty YAML file is an empty config', () => {
    const dir = freshDir();
    const path = write(dir, 'empty.yaml', '');
    assert.deepEqual(readConfigFile(path), {});
  });
});

describe('loadConfig path resolution', () => {
  test('paths in the file are relative to the file, flags and env to cwd', () => {
    const dir = freshDir();
    const confDir = join(dir, 'elsewhere');
    mkdirSync(confDir);
    const configPath = write(confDir, 'c.json', JSON.stringify({ local: 'sub/local.duckdb', remote: '../remote.duckdb', logDir: 'my-logs' }));
    const fromFile = loadConfig({ cwd: dir, env: {}, configPath });
    assert.equal(fromFile.local, join(confDir, 'sub', 'local.duckdb'));
    assert.equal(fromFile.remote, join(dir, 'remote.duckdb'));
    assert.equal(fromFile.logDir, join(confDir, 'my-logs'));

    const fromEnv = loadConfig({ cwd: dir, env: { DUCKDB_SYNC_LOCAL: 'e.duckdb', DUCKDB_SYNC_REMOTE: 'x/r.duckdb' }, configPath });
    assert.equal(fromEnv.local, join(dir, 'e.duckdb'));
    assert.equal(fromEnv.remote, join(dir, 'x', 'r.duckdb'));

    const fromFlags = loadConfig({ cwd: dir, env: {}, configPath, overrides: { local: 'f.duckdb', logDir: 'flag-logs' } });
    assert.equal(fromFlags.local, join(dir, 'f.duckdb'));
    assert.equal(fromFlags.logDir, join(dir, 'flag-logs'));
  });

  test('absolute paths and md: URIs are kept as they are', () => {
    const dir = freshDir();
    const configPath = write(dir, 'c.json', JSON.stringify({ local: '/abs/local.duckdb', remote: 'md:my_db' }));
    const c = loadConfig({ cwd: '/', env: {}, configPath });
    assert.equal(c.local, '/abs/local.duckdb');
    assert.equal(c.remote, 'md:my_db');
  });
});

describe('loadConfig errors', () => {
  test('invalid field: the error names the field path', () => {
    const dir = freshDir();
    const path = write(dir, 'c.json', JSON.stringify({ local: 'a', remote: 'b', tables: { emails: { key: 'id' } } }));
    const e = assertConfigError(() => loadConfig({ cwd: dir, env: {}, configPath: path }), /tables\.emails\.key/, /invalid config file/);
    assert.ok(e.message.includes(path), 'the message names the file');
  });

  test('invalid enum value in YAML names the field', () => {
    const dir = freshDir();
    const path = write(dir, 'c.yaml', 'local: a\nremote: b\nmode: sometimes\n');
    assertConfigError(() => loadConfig({ cwd: dir, env: {}, configPath: path }), /: mode: /);
  });

  test('invalid nested retry value names the field', () => {
    const dir = freshDir();
    const path = write(dir, 'c.yaml', 'retry:\n  maxRetries: -1\n');
    assertConfigError(() => loadConfig({ cwd: dir, env: {}, configPath: path, requireDatabases: false }), /retry\.maxRetries/);
  });

  test('unknown top-level fields are rejected', () => {
    const dir = freshDir();
    const path = write(dir, 'c.json', JSON.stringify({ local: 'a', remote: 'b', locl: 'typo' }));
    assertConfigError(() => loadConfig({ cwd: dir, env: {}, configPath: path }), /locl/);
  });

  test('unknown fields inside a table entry are rejected with the table path', () => {
    const dir = freshDir();
    const path = write(dir, 'c.yaml', 'tables:\n  emails:\n    colums:\n      a: b\n');
    assertConfigError(() => loadConfig({ cwd: dir, env: {}, configPath: path, requireDatabases: false }), /tables\.emails/, /colums/);
  });

  test('a file that is not an object is rejected', () => {
    const dir = freshDir();
    const path = write(dir, 'c.yaml', '- just\n- a list\n');
    assertConfigError(() => loadConfig({ cwd: dir, env: {}, configPath: path, requireDatabases: false }), /invalid config file/);
  });

  test('unparsable JSON', () => {
    const dir = freshDir();
    write(dir, 'duckdb-sync.config.json', '{"local": "a",');
    assertConfigError(() => loadConfig({ cwd: dir, env: {} }), /cannot parse config file/, /duckdb-sync\.config\.json/);
  });

  test('unparsable YAML', () => {
    const dir = freshDir();
    write(dir, 'duckdb-sync.config.yaml', 'local: [unclosed\nremote: {\n');
    assertConfigError(() => loadConfig({ cwd: dir, env: {} }), /cannot parse config file/, /duckdb-sync\.config\.yaml/);
  });

  test('--config path that does not exist', () => {
    const dir = freshDir();
    assertConfigError(() => loadConfig({ cwd: dir, env: {}, configPath: 'nope.yaml' }), /config file not found/, /nope\.yaml/);
  });

  test('missing local or remote is a ConfigError', () => {
    const dir = freshDir();
    assertConfigError(() => loadConfig({ cwd: dir, env: {} }), /no local database/);
    assertConfigError(() => loadConfig({ cwd: dir, env: { DUCKDB_SYNC_LOCAL: 'a.duckdb' } }), /no remote database/);
    assertConfigError(() => loadConfig({ cwd: dir, env: {}, overrides: { remote: 'md:x' } }), /no local database/);
  });

  test('missing databases are allowed when not required', () => {
    const dir = freshDir();
    const c = loadConfig({ cwd: dir, env: {}, requireDatabases: false });
    assert.equal(c.local, '');
    assert.equal(c.remote, '');
  });

  test('the real process environment does not leak in when env is given', () => {
    const dir = freshDir();
    const saved = process.env.DUCKDB_SYNC_LOCAL;
    process.env.DUCKDB_SYNC_LOCAL = join(dir, 'leak.duckdb');
    try {
      assertConfigError(() => loadConfig({ cwd: dir, env: {} }), /no local database/);
    } finally {
      if (saved === undefined) delete process.env.DUCKDB_SYNC_LOCAL;
      else process.env.DUCKDB_SYNC_LOCAL = saved;
    }
  });
});
