// The tests' own TOTP generator against the RFC 6238 (appendix B) SHA-1 vectors: if this
// fails, every two-factor browser test would fail for the wrong reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { totp, base32Decode, Authenticator } from './lib/totp.mjs';

const RFC_KEY = Buffer.from('12345678901234567890', 'ascii');

test('TOTP matches the RFC 6238 SHA-1 test vectors', () => {
  for (const [t, want] of [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ]) {
    assert.equal(totp(RFC_KEY, Math.floor(t / 30), 8), want, `T=${t}`);
    assert.equal(totp(RFC_KEY, Math.floor(t / 30)), want.slice(2), `T=${t}, 6 digits`);
  }
});

test('base32 decoding', () => {
  // RFC 4648 test vectors, and the RFC 6238 key as base32.
  assert.equal(base32Decode('MZXW6YTBOI').toString(), 'foobar');
  assert.equal(base32Decode('MZXW6YTBOI======').toString(), 'foobar');
  assert.equal(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ').toString(), '12345678901234567890');
  assert.throws(() => base32Decode('not base32!'));
});

test('the authenticator never hands out a consumed step', async () => {
  const app = new Authenticator('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  const a = await app.code();
  assert.match(a.code, /^\d{6}$/);
  assert.ok(app.waitSeconds() > 0 && app.waitSeconds() <= 30);
});
