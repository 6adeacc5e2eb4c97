import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { buildCronEntry, escapeCronPercent, parseCronLine, type CronEntrySpec } from '../../src/schedule/cronEntry.js';
import { shellQuote } from '../../src/schedule/shellQuote.js';
import { UsageError } from '../../src/errors.js';

const NASTY = [`it's`, '100% done', 'a $HOME b', 'back`tick`', 'semi;colon && x', 'star * ?', 'quote"d', '\\backslash\\', '', ' lead', 'tab\there', 'ünï/cødé'];

/** What sh makes of `words`: each word on its own line, as received by a program. */
function throughSh(script: string): string[] {
  const out = execFileSync('sh', ['-c', `${script}`], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  return JSON.parse(out) as string[];
}

describe('shellQuote', () => {
  test('every word reaches the program unchanged', () => {
    const script = `${shellQuote(process.execPath)} -e 'process.stdout.write(JSON.stringify(process.argv.slice(1)))' ${NASTY.map(shellQuote).join(' ')}`;
    assert.deepEqual(throughSh(script), NASTY);
  });

  test('plain paths stay readable', () => {
    assert.equal(shellQuote('/usr/bin/node'), '/usr/bin/node');
    assert.equal(shellQuote('--mode'), '--mode');
    assert.equal(shellQuote('a b'), `'a b'`);
    assert.equal(shellQuote(`it's`), `'it'\\''s'`);
  });
});

describe('buildCronEntry', () => {
  const spec: CronEntrySpec = {
    hour: 4,
    minute: 30,
    workingDir: '/srv/data 100%',
    nodePath: '/usr/local/bin/node',
    cliPath: '/opt/duckdb-sync/dist/cli/main.js',
    args: ['sync', '--mode', 'full', '--config', `/srv/it's/duckdb-sync.config.json`],
    outputFile: '/srv/logs/duckdb-sync-cron.log',
  };

  test('schedule fields, absolute paths, output appended', () => {
    const entry = buildCronEntry(spec);
    assert.equal(entry.schedule, '30 4 * * *');
    assert.ok(entry.line.startsWith('30 4 * * * '));
    assert.match(entry.command, /^\{ cd '\/srv\/data 100%' && exec \/usr\/local\/bin\/node \/opt\/duckdb-sync\/dist\/cli\/main\.js sync --mode full --config /);
    assert.ok(entry.command.endsWith(`>> /srv/logs/duckdb-sync-cron.log 2>&1`));
    assert.ok(!entry.command.includes('set -a'), 'no env file, nothing sourced');
  });

  test('every % is escaped for cron, and parseCronLine undoes it', () => {
    const entry = buildCronEntry(spec);
    assert.ok(!/(^|[^\\])%/.test(entry.line.slice(entry.schedule.length)), 'no unescaped % in the line');
    assert.deepEqual(parseCronLine(entry.line), { schedule: entry.schedule, command: entry.command });
    assert.equal(escapeCronPercent('a%b%%c'), 'a\\%b\\%\\%c');
  });

  test('the env file is sourced with export before the CLI starts', () => {
    const entry = buildCronEntry({ ...spec, envFile: '/srv/conf dir/duckdb-sync.env' });
    assert.ok(entry.command.includes(`set -a && . '/srv/conf dir/duckdb-sync.env' && set +a && exec `));
  });

  test('line breaks and out-of-range times are refused', () => {
    assert.throws(() => buildCronEntry({ ...spec, workingDir: '/a\nb' }), UsageError);
    assert.throws(() => buildCronEntry({ ...spec, args: ['sync', 'x\ry'] }), UsageError);
    assert.throws(() => buildCronEntry({ ...spec, hour: 24 }), UsageError);
    assert.throws(() => buildCronEntry({ ...spec, minute: -1 }), UsageError);
    assert.throws(() => buildCronEntry({ ...spec, minute: 1.5 }), UsageError);
  });

  test('the command runs under sh with every argument intact', () => {
    const args = ['sync', ...NASTY.filter((w) => w !== '')];
    const entry = buildCronEntry({
      ...spec,
      workingDir: '/',
      nodePath: process.execPath,
      cliPath: '-e',
      args: [`require('fs').writeSync(3, JSON.stringify(process.argv.slice(1)))`, ...args],
      outputFile: '/dev/null',
    });
    // Rebuild the command so the program's fd 3 is stdout (the entry sends 1 and 2 to the file).
    const out = execFileSync('sh', ['-c', `exec 3>&1; ${parseCronLine(entry.line)?.command}`], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    assert.deepEqual(JSON.parse(out), args);
  });
});

describe('parseCronLine', () => {
  test('five fields, nicknames, and a % that starts stdin', () => {
    assert.deepEqual(parseCronLine('0  3 * * *   echo hi'), { schedule: '0 3 * * *', command: 'echo hi' });
    assert.deepEqual(parseCronLine('@daily echo hi'), { schedule: '@daily', command: 'echo hi' });
    assert.deepEqual(parseCronLine('0 3 * * * date +\\%F%input'), { schedule: '0 3 * * *', command: 'date +%F' });
    assert.equal(parseCronLine('MAILTO=x'), undefined);
  });
});
