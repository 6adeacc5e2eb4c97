import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, UsageError } from '../../src/errors.js';
import type { CrontabAccess } from '../../src/schedule/crontab.js';
import { installSchedule } from '../../src/schedule/installSchedule.js';
import { listSchedule } from '../../src/schedule/listSchedule.js';
import { removeSchedule } from '../../src/schedule/removeSchedule.js';
import { readScheduleSettings, SCHEDULE_DEFAULTS } from '../../src/schedule/scheduleSettings.js';
import { tempDir } from '../helpers/tempDir.js';

const root = tempDir();
let counter = 0;
const TOKEN = 'md-test-token-3f9a1c77e2';

function freshDir(): string {
  const dir = join(root, `case-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A crontab kept in memory (the real program is exercised by the e2e tests). */
function memoryCrontab(initial = ''): CrontabAccess & { text: string; writes: number } {
  const tab = {
    text: initial,
    writes: 0,
    read: async () => tab.text,
    write: async (text: string) => {
      tab.text = text;
      tab.writes++;
    },
  };
  return tab;
}

/** A stand-in CLI script, so the paths checked by installSchedule exist. */
function fakeCli(dir: string): string {
  const path = join(dir, 'main.js');
  writeFileSync(path, '');
  return path;
}

describe('installSchedule', () => {
  test('token from the environment goes to a 0600 env file next to the config, never into the crontab', async () => {
    const dir = freshDir();
    const config = join(dir, 'conf', 'duckdb-sync.config.json');
    mkdirSync(join(dir, 'conf'));
    writeFileSync(config, JSON.stringify({ local: 'local.duckdb', remote: 'md:analytics' }));
    const crontab = memoryCrontab('# keep me\n');
    const result = await installSchedule({ cwd: dir, config, env: { MOTHERDUCK_TOKEN: TOKEN }, cliPath: fakeCli(dir), crontab });
    assert.equal(result.tokenSource, 'env-file');
    assert.equal(result.envFile, join(dir, 'conf', 'duckdb-sync.env'));
    assert.equal(result.envFileWritten, true);
    assert.equal(statSync(result.envFile as string).mode & 0o777, 0o600);
    assert.match(readFileSync(result.envFile as string, 'utf8'), new RegExp(`^MOTHERDUCK_TOKEN=${TOKEN}$`, 'm'));
    assert.ok(!crontab.text.includes(TOKEN));
    assert.ok(crontab.text.startsWith('# keep me\n'));
    assert.ok(result.command.includes(`. ${join(dir, 'conf', 'duckdb-sync.env')}`));
    assert.ok(result.command.includes(`--config ${config}`));
  });

  test('re-scheduling without the token reuses the env file; an existing file is replaced with mode 0600', async () => {
    const dir = freshDir();
    const envFile = join(dir, 'duckdb-sync.env');
    writeFileSync(envFile, 'MOTHERDUCK_TOKEN=old\n', { mode: 0o644 });
    const crontab = memoryCrontab();
    const reused = await installSchedule({ cwd: dir, local: 'l.duckdb', remote: 'md:db', env: {}, cliPath: fakeCli(dir), crontab });
    assert.equal(reused.tokenSource, 'env-file');
    assert.equal(reused.envFileWritten, false);
    assert.equal(readFileSync(envFile, 'utf8'), 'MOTHERDUCK_TOKEN=old\n');
    const rewritten = await installSchedule({ cwd: dir, local: 'l.duckdb', remote: 'md:db', env: { motherduck_token: TOKEN }, cliPath: fakeCli(dir), crontab });
    assert.equal(rewritten.replaced, true);
    assert.equal(statSync(envFile).mode & 0o777, 0o600);
    assert.ok(readFileSync(envFile, 'utf8').includes(TOKEN));
    assert.ok(!crontab.text.includes(TOKEN));
  });

  test('token in the config file: no env file, the entry passes --config', async () => {
    const dir = freshDir();
    const config = join(dir, 'c.yaml');
    writeFileSync(config, `local: l.duckdb\nremote: md:db\nmotherduckToken: ${TOKEN}\nschedule:\n  hour: 22\n  minute: 45\n`);
    const crontab = memoryCrontab();
    const result = await installSchedule({ cwd: dir, config, env: {}, cliPath: fakeCli(dir), crontab });
    assert.equal(result.tokenSource, 'config');
    assert.equal(result.schedule, '45 22 * * *', 'time from the config file');
    assert.equal(existsSync(join(dir, 'duckdb-sync.env')), false);
    assert.ok(!crontab.text.includes(TOKEN));
  });

  test('md: remote without any token: a clear error, crontab untouched', async () => {
    const dir = freshDir();
    const crontab = memoryCrontab('# mine\n');
    await assert.rejects(
      installSchedule({ cwd: dir, local: 'l.duckdb', remote: 'md:db', env: {}, cliPath: fakeCli(dir), crontab }),
      (e: unknown) => e instanceof ConfigError && /MOTHERDUCK_TOKEN/.test(e.hint ?? ''),
    );
    assert.equal(crontab.writes, 0);
  });

  test('a file remote needs no token: none is written anywhere even when set', async () => {
    const dir = freshDir();
    const crontab = memoryCrontab();
    const result = await installSchedule({ cwd: dir, local: 'l.duckdb', remote: 'r.duckdb', env: { MOTHERDUCK_TOKEN: TOKEN }, cliPath: fakeCli(dir), crontab });
    assert.equal(result.tokenSource, 'none');
    assert.equal(existsSync(join(dir, 'duckdb-sync.env')), false);
    assert.ok(result.command.includes(`--local ${join(dir, 'l.duckdb')} --remote ${join(dir, 'r.duckdb')}`));
  });

  test('invalid times are usage errors and change nothing', async () => {
    const dir = freshDir();
    const crontab = memoryCrontab('# mine\n');
    for (const [hour, minute] of [[24, 0], [-1, 0], [3, 60], [2.5, 0]] as const) {
      await assert.rejects(installSchedule({ cwd: dir, local: 'l', remote: 'r', env: {}, hour, minute, cliPath: fakeCli(dir), crontab }), UsageError);
    }
    assert.equal(crontab.writes, 0);
    assert.equal(crontab.text, '# mine\n');
  });

  test('list and remove work on the same entry', async () => {
    const dir = freshDir();
    const crontab = memoryCrontab('MAILTO=""\n');
    await installSchedule({ cwd: dir, local: 'l', remote: 'r', env: {}, hour: 1, minute: 2, cliPath: fakeCli(dir), crontab });
    const listed = await listSchedule({ crontab, now: new Date(2030, 0, 1, 12, 0) });
    assert.ok(listed.installed);
    assert.equal(listed.schedule, '2 1 * * *');
    assert.deepEqual(listed.nextRun, new Date(2030, 0, 2, 1, 2));
    assert.deepEqual(await removeSchedule({ crontab }), { removed: true });
    assert.equal(crontab.text, 'MAILTO=""\n');
    assert.deepEqual(await removeSchedule({ crontab }), { removed: false });
    assert.deepEqual(await listSchedule({ crontab }), { installed: false });
  });
});

describe('schedule and daemon settings in the config file', () => {
  test('defaults', () => {
    assert.deepEqual(readScheduleSettings(undefined), SCHEDULE_DEFAULTS);
  });

  test('values are read and validated with field paths', () => {
    const dir = freshDir();
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ daemon: { fullSyncCron: '*/2 * * * * *', incrementalEveryMinutes: 0.5, watch: true, watchDebounceMs: 500 }, schedule: { hour: 0 } }));
    assert.deepEqual(readScheduleSettings(good), {
      hour: 0,
      minute: 0,
      fullSyncCron: '*/2 * * * * *',
      incrementalEveryMinutes: 0.5,
      watch: true,
      watchDebounceMs: 500,
      watchMaxDelayMs: 5000,
      watchPollMs: 1000,
    });
    const cases: Array<[object, RegExp]> = [
      [{ daemon: { fullSyncCron: '61 * * * *' } }, /daemon\.fullSyncCron: invalid cron expression "61 \* \* \* \*"/],
      [{ daemon: { fullSyncCron: 'nightly' } }, /daemon\.fullSyncCron: invalid cron expression/],
      [{ daemon: { incrementalEveryMinutes: -1 } }, /daemon\.incrementalEveryMinutes/],
      [{ daemon: { watch: 'yes' } }, /daemon\.watch/],
      [{ daemon: { watchDebounceMs: 1.5 } }, /daemon\.watchDebounceMs/],
      [{ daemon: { watchPollMs: 10 } }, /daemon\.watchPollMs/],
      [{ schedule: { hour: 24 } }, /schedule\.hour/],
      [{ schedule: { minute: 1.5 } }, /schedule\.minute/],
      [{ schedule: { when: 3 } }, /schedule/],
    ];
    for (const [content, pattern] of cases) {
      const path = join(dir, `bad-${++counter}.json`);
      writeFileSync(path, JSON.stringify(content));
      assert.throws(() => readScheduleSettings(path), (e: unknown) => e instanceof ConfigError && pattern.test(e.message), JSON.stringify(content));
    }
  });
});
