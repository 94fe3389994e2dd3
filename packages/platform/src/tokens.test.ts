import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearerToken, generateToken, hashToken, TOKEN_PATTERN } from './tokens.js';

test('generateToken makes nst_ + 43 base64url characters, never twice the same', () => {
  const a = generateToken();
  assert.match(a, TOKEN_PATTERN);
  assert.notEqual(a, generateToken());
});

test('hashToken is the hex SHA-256 of the whole token', () => {
  // sha256("abc"), the FIPS 180-2 test vector.
  assert.equal(
    hashToken('abc'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  assert.match(hashToken('nst_abc'), /^[0-9a-f]{64}$/);
  assert.notEqual(hashToken('nst_abc'), hashToken('nst_abd'));
});

test('bearerToken reads the Authorization header', () => {
  const cases: [string | string[] | undefined, string | null][] = [
    ['Bearer nst_x', 'nst_x'],
    ['bearer   nst_x  ', 'nst_x'],
    [['Bearer a', 'Bearer b'], 'a'],
    ['Basic dXNlcg==', null],
    ['Bearer', null],
    [undefined, null],
  ];
  for (const [h, want] of cases) assert.equal(bearerToken(h), want, String(h));
});
