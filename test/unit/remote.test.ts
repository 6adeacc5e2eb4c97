import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REMOTE_ALIAS } from '../../src/remote/file/attachAlias.js';
import { parseRemote } from '../../src/remote/parseRemote.js';
import type { Remote } from '../../src/remote/remote.js';
import { DatabaseNotFoundError, MissingTokenError, MotherDuckRuleError, NotADatabaseError, UsageError } from '../../src/errors.js';
import { exec, query, withDuck } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';

const dir = tempDir();

describe('parseRemote', () => {
  test('md:<name> is a MotherDuck remote, addressed by its real catalog name', () => {
    assert.deepEqual(described(parseRemote('md:analytics')), { kind: 'motherduck', uri: 'md:analytics', catalog: 'analytics', fingerprints: 'checked' });
    assert.deepEqual(described(parseRemote('md:my_db-2')), { kind: 'motherduck', uri: 'md:my_db-2', catalog: 'my_db-2', fingerprints: 'checked' });
    const md = parseRemote('md:analytics');
    assert.equal(md.readOnly, undefined);
    assert.equal(md.releasedBetweenSteps, false, 'one attach a session');
    assert.equal(md.readOnlyAttach, false, 'never re-attached READ_ONLY');
    assert.equal(md.needsToken, true);
  });

  test('md:_share/<owner>/<id> is a read-only share named after the owner part, as MotherDuck names it', () => {
    const share = parseRemote('md:_share/birds/e9ads7-dfr32-41b4-a230-bsadgfdg32tfa');
    assert.equal(share.catalog, 'birds');
    assert.match(share.readOnly ?? '', /share/);
    assert.equal(share.attachStatement(false), `ATTACH 'md:_share/birds/e9ads7-dfr32-41b4-a230-bsadgfdg32tfa'`);
  });

  test('mdemu:<path> is the MotherDuck emulator: catalog named after the file, fingerprints checked, attached for the session, its file let go between steps', () => {
    const emu = parseRemote('mdemu:/data/cloud/analytics.duckdb');
    assert.deepEqual(described(emu), { kind: 'motherduck-emulator', uri: 'mdemu:/data/cloud/analytics.duckdb', catalog: 'analytics', fingerprints: 'checked' });
    assert.equal(emu.releasedBetweenSteps, false);
    assert.deepEqual(emu.sharedFile && { take: emu.sharedFile.take, release: emu.sharedFile.release }, { take: `ATTACH '/data/cloud/analytics.duckdb'`, release: 'DETACH "analytics"' });
    assert.equal(emu.readOnlyAttach, false);
    assert.equal(emu.needsToken, false);
    assert.equal(emu.attachStatement(true), `ATTACH '/data/cloud/analytics.duckdb'`);
    assert.match(parseRemote('mdemu:/data/a.duckdb?read_only').readOnly ?? '', /share/);
    assert.throws(() => parseRemote('mdemu:/data/a.duckdb?bogus=1'), (e: unknown) => e instanceof UsageError && e.message.includes('unknown emulator option: bogus'));
    assert.throws(() => parseRemote('mdemu:'), (e: unknown) => e instanceof UsageError && e.message.includes('invalid emulator remote'));
  });

  test('file paths are file remotes', () => {
    assert.deepEqual(described(parseRemote('/data/cloud.duckdb')), { kind: 'file', uri: '/data/cloud.duckdb', catalog: REMOTE_ALIAS, fingerprints: 'engine' });
    assert.deepEqual(described(parseRemote('relative/cloud.duckdb')), { kind: 'file', uri: 'relative/cloud.duckdb', catalog: REMOTE_ALIAS, fingerprints: 'engine' });
    // A Windows-like drive letter or a colon in a file name is not a URI scheme (no "//").
    assert.equal(parseRemote('C:\\data\\cloud.duckdb').kind, 'file');
  });

  test('fingerprints can be forced canonical on a file remote (the MotherDuck code path on a file), or pinned canonical on MotherDuck', () => {
    assert.equal(parseRemote('/data/cloud.duckdb', { fingerprints: 'canonical' }).fingerprints, 'canonical');
    assert.equal(parseRemote('mdemu:/data/cloud.duckdb', { fingerprints: 'canonical' }).fingerprints, 'canonical');
  });

  for (const bad of ['md:', 'md:has space', "md:quo'te", 'md:a;DROP', 'md:db?motherduck_token=abc', 'md:"x"', 'md:a/b', 'md:_share/x']) {
    test(`bad MotherDuck name is a UsageError: ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => parseRemote(bad),
        (e: unknown) => e instanceof UsageError && e.exitCode === 2 && e.message.includes('invalid MotherDuck remote'),
      );
    });
  }

  for (const uri of ['s3://bucket/db.duckdb', 'https://example.com/x.duckdb', 'postgres://host/db']) {
    test(`other URI schemes are refused: ${uri}`, () => {
      assert.throws(() => parseRemote(uri), (e: unknown) => e instanceof UsageError && e.message.includes('unsupported remote'));
    });
  }
});

describe('attachStatement', () => {
  test('MotherDuck: ATTACH \'md:<name>\' with no alias and no READ_ONLY (single attach mode), detached by its name', () => {
    const spec = parseRemote('md:analytics');
    // MotherDuck refuses aliases on databases you own; the first ATTACH 'md:<name>' enters single mode.
    assert.equal(spec.attachStatement(false), `ATTACH 'md:analytics'`);
    assert.equal(spec.attachStatement(true), `ATTACH 'md:analytics'`, 'read-only steps are kept from writing by code, not by READ_ONLY');
    assert.doesNotMatch(spec.attachStatement(true), /\bAS\b|READ_ONLY|workspace|attach_mode/i);
    assert.equal(spec.detachStatement(), 'DETACH DATABASE IF EXISTS "analytics"');
  });

  test('MotherDuck: the attach mode is read after the attach; in workspace mode nothing is ever detached', async () => {
    const answer = (mode: string) => async () => [{ mode }];
    const own = parseRemote('md:analytics');
    await own.afterAttach(answer('single'));
    assert.equal(own.detachStatement(), 'DETACH DATABASE IF EXISTS "analytics"');
    assert.equal(own.attachNote, undefined);
    // A share attached first (or a session already in workspace mode): a DETACH would detach it in every other client.
    const share = parseRemote('md:_share/birds/e9ads7-dfr32-41b4-a230');
    assert.equal(share.catalog, 'birds', "named after the share's name segment");
    await share.afterAttach(answer('workspace'));
    assert.equal(share.detachStatement(), undefined);
    assert.match(share.attachNote ?? '', /workspace attach mode/);
    // An extension that does not say: workspace for a share (single mode is for one's own databases), single otherwise.
    const silent = async (): Promise<never> => {
      throw new Error("Catalog Error: unrecognized configuration parameter \"motherduck_attach_mode\"");
    };
    const quietShare = parseRemote('md:_share/birds/e9ads7');
    await quietShare.afterAttach(silent);
    assert.equal(quietShare.detachStatement(), undefined);
    const quietOwn = parseRemote('md:analytics');
    await quietOwn.afterAttach(silent);
    assert.equal(quietOwn.detachStatement(), 'DETACH DATABASE IF EXISTS "analytics"');
  });

  test('the emulator in workspace mode: reads workspace after the attach, refuses a DETACH as MotherDuck would hurt other clients', async () => {
    const emu = parseRemote('mdemu:/data/analytics.duckdb?workspace');
    await emu.afterAttach(async () => []);
    assert.equal(emu.detachStatement(), undefined);
    assert.throws(() => emu.inspect({ sql: 'DETACH DATABASE IF EXISTS "analytics"', write: undefined, readsLocal: false }), (e: unknown) => e instanceof MotherDuckRuleError && /workspace attach mode/.test(e.message));
    const single = parseRemote('mdemu:/data/analytics.duckdb');
    await single.afterAttach(async () => []);
    assert.equal(single.detachStatement(), 'DETACH DATABASE IF EXISTS "analytics"');
  });

  test('the file remote keeps its alias and its read-only attach (a file takes both)', () => {
    const spec = parseRemote('/data/cloud.duckdb');
    assert.equal(spec.attachStatement(true), `ATTACH '/data/cloud.duckdb' AS "${REMOTE_ALIAS}" (READ_ONLY)`);
  });

  test('the token never appears in the statement', () => {
    const sql = parseRemote('md:analytics').attachStatement(true);
    assert.doesNotMatch(sql, /token/i);
  });

  test("a file path with a single quote is quoted, and DuckDB accepts it", async () => {
    const sub = join(dir, "it's here");
    mkdirSync(sub);
    const path = join(sub, "o'brien.duckdb");
    await withDuck(path, (q) => q.run('CREATE TABLE t AS SELECT 42 AS answer'));
    const sql = parseRemote(path).attachStatement(true);
    assert.equal(sql, `ATTACH '${path.replace(/'/g, "''")}' AS "${REMOTE_ALIAS}" (READ_ONLY)`);
    const rows = await withDuck(':memory:', async (q) => {
      await q.run(sql);
      return q.json(`SELECT answer FROM "${REMOTE_ALIAS}".t`);
    });
    assert.deepEqual(rows, [{ answer: 42 }]);
    // Read-only: the file is unchanged and still readable.
    assert.deepEqual(await query(path, 'SELECT answer FROM t'), [{ answer: 42 }]);
  });
});

describe('Remote.check', () => {
  test('md: without a token is a MissingTokenError', () => {
    const spec = parseRemote('md:analytics');
    assert.throws(() => check(spec, undefined), MissingTokenError);
    assert.throws(() => check(spec, ''), MissingTokenError);
    assert.doesNotThrow(() => check(spec, 'a-token'));
  });

  test('MissingTokenError tells where to put the token', () => {
    const e = new MissingTokenError();
    assert.equal(e.code, 'E_NO_TOKEN');
    assert.equal(e.exitCode, 2);
    assert.match(e.hint ?? '', /MOTHERDUCK_TOKEN/);
  });

  test('a missing file is a DatabaseNotFoundError', () => {
    const path = join(dir, 'absent.duckdb');
    assert.throws(
      () => check(parseRemote(path), undefined),
      (e: unknown) => e instanceof DatabaseNotFoundError && e.message.includes('remote database file does not exist') && e.message.includes(path),
    );
  });

  test('a missing folder is a DatabaseNotFoundError naming the folder', () => {
    const folder = join(dir, 'no-such-folder');
    assert.throws(
      () => check(parseRemote(join(folder, 'r.duckdb')), undefined),
      (e: unknown) => e instanceof DatabaseNotFoundError && e.message.includes('remote folder does not exist') && e.message.includes(folder),
    );
  });

  test('a folder given as remote is refused', () => {
    assert.throws(() => check(parseRemote(dir), undefined), NotADatabaseError);
  });

  test('an empty file or one that is not a DuckDB database is refused', () => {
    const empty = join(dir, 'empty.duckdb');
    writeFileSync(empty, '');
    assert.throws(() => check(parseRemote(empty), undefined), /is an empty file, not a DuckDB database/);
    const csv = join(dir, 'data.csv');
    writeFileSync(csv, 'a,b\n1,2\n');
    assert.throws(() => check(parseRemote(`mdemu:${csv}`), undefined), /looks like CSV/);
  });

  test('an existing DuckDB database passes', async () => {
    const path = join(dir, 'exists.duckdb');
    await exec(path, 'CREATE TABLE t (x INTEGER)');
    assert.doesNotThrow(() => check(parseRemote(path), undefined));
    assert.doesNotThrow(() => check(parseRemote(`mdemu:${path}`), undefined));
  });
});

/** What a remote is, as plain data (kind, address, catalog, fingerprints). */
function described(remote: Remote): Pick<Remote, 'kind' | 'uri' | 'catalog' | 'fingerprints'> {
  return { kind: remote.kind, uri: remote.uri, catalog: remote.catalog, fingerprints: remote.fingerprints };
}

/** Remote.check as the local database would call it (the local file lies elsewhere). */
function check(remote: Remote, token: string | undefined): void {
  remote.check(join(dir, 'some-local.duckdb'), token);
}
