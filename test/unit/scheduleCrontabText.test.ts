import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CRONTAB_MARKER, findManagedEntry, withManagedEntry, withoutManagedEntry } from '../../src/schedule/crontabText.js';

const JOB = `0 3 * * * { cd /w && exec /usr/bin/node /opt/dist/cli/main.js sync --mode full; } >> /w/logs/duckdb-sync-cron.log 2>&1`;
const JOB2 = JOB.replace('0 3', '15 4');
const OTHERS = `MAILTO=""\n# my backup   \n*/5 * * * * /usr/local/bin/backup --fast  \r\n\n@reboot echo 'hi %'\n`;

describe('crontab text', () => {
  test('an empty crontab gets the marker and the job line', () => {
    const { text, replaced } = withManagedEntry('', JOB);
    assert.equal(text, `${CRONTAB_MARKER}\n${JOB}\n`);
    assert.equal(replaced, false);
    assert.deepEqual(findManagedEntry(text), { line: JOB });
  });

  test('other lines are kept byte for byte, the entry is appended', () => {
    const { text } = withManagedEntry(OTHERS, JOB);
    assert.equal(text, `${OTHERS}${CRONTAB_MARKER}\n${JOB}\n`);
    assert.equal(withoutManagedEntry(text), OTHERS);
  });

  test('installing again replaces the entry in place', () => {
    const first = withManagedEntry(OTHERS, JOB).text + '# after\n';
    const second = withManagedEntry(first, JOB2);
    assert.equal(second.replaced, true);
    assert.equal(second.text, `${OTHERS}${CRONTAB_MARKER}\n${JOB2}\n# after\n`);
    assert.equal(second.text.split(CRONTAB_MARKER).length, 2, 'exactly one marker');
  });

  test('duplicate entries collapse into one', () => {
    const doubled = `${CRONTAB_MARKER}\n${JOB}\n${OTHERS}${CRONTAB_MARKER}\n${JOB2}\n`;
    assert.equal(withManagedEntry(doubled, JOB2).text, `${CRONTAB_MARKER}\n${JOB2}\n${OTHERS}`);
    assert.equal(withoutManagedEntry(doubled), OTHERS);
  });

  test('a marker whose job line was deleted by hand never takes the next user line with it', () => {
    const text = `${CRONTAB_MARKER}\n*/5 * * * * /usr/local/bin/backup\n`;
    assert.deepEqual(findManagedEntry(text), { line: undefined });
    assert.equal(withoutManagedEntry(text), '*/5 * * * * /usr/local/bin/backup\n');
  });

  test('a crontab without a final newline gets one (crontab requires it)', () => {
    assert.equal(withManagedEntry('*/5 * * * * x', JOB).text, `*/5 * * * * x\n${CRONTAB_MARKER}\n${JOB}\n`);
  });

  test('no entry: nothing found, removal leaves the text as it was', () => {
    assert.equal(findManagedEntry(OTHERS), undefined);
    assert.equal(withoutManagedEntry(OTHERS), OTHERS);
    assert.equal(withoutManagedEntry(`${CRONTAB_MARKER}\n${JOB}\n`), '');
  });
});
