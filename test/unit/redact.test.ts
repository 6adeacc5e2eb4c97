import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact } from '../../src/log/redact.js';

test('every occurrence of a secret is removed', () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.secret-part';
  const out = redact(`token ${token} failed; again ${token}`, [token]);
  assert.equal(out, 'token *** failed; again ***');
  assert.ok(!out.includes(token));
});

test('several secrets, undefined entries ignored', () => {
  assert.equal(redact('a=first-secret b=second-secret', [undefined, 'first-secret', 'second-secret']), 'a=*** b=***');
});

test('very short secrets are not used (they would blank ordinary text)', () => {
  assert.equal(redact('abc abc', ['abc']), 'abc abc');
  assert.equal(redact('text', ['']), 'text');
});

test('motherduck_token=... in URIs is removed even when the token is not known', () => {
  assert.equal(redact("ATTACH 'md:db?motherduck_token=abc.def-123' failed", []), "ATTACH 'md:db?motherduck_token=***' failed");
  assert.equal(redact('md:db?x=1&motherduck_token=zzz&y=2', []), 'md:db?x=1&motherduck_token=***&y=2');
  assert.equal(redact('MOTHERDUCK_TOKEN: "sekrit"', []), 'MOTHERDUCK_TOKEN: "***"');
});

test('text without secrets is unchanged', () => {
  assert.equal(redact('nothing to hide here', ['not-present']), 'nothing to hide here');
});
