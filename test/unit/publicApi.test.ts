/**
 * The public boundary: the package exports only `src/index.ts`, and its API, as the built
 * declarations (`dist/index.d.ts`) describe it, is kept in `etc/duckdb-sync.api.md` (API Extractor's
 * report). A change to the public API is a visible diff of that file: `npm run api` writes it anew.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

test('the public API is the one etc/duckdb-sync.api.md records (npm run api writes it anew)', () => {
  assert.ok(existsSync(join(ROOT, 'dist/index.d.ts')), 'dist/index.d.ts is missing: npm test builds it (npm run build)');
  const messages: string[] = [];
  const result = Extractor.invoke(ExtractorConfig.loadFileAndPrepare(join(ROOT, 'api-extractor.json')), {
    localBuild: false,
    messageCallback: (message) => {
      if (message.logLevel === 'error' || message.logLevel === 'warning') messages.push(message.formatMessageWithLocation(ROOT));
      message.handled = true;
    },
  });
  assert.equal(result.apiReportChanged, false, 'the public API changed: review the change, then run `npm run api` and commit etc/duckdb-sync.api.md');
  assert.ok(result.succeeded, messages.join('\n'));
});

test('the package exports only its entry point (every other module is internal)', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  assert.deepEqual(Object.keys(pkg.exports), ['.']);
});
