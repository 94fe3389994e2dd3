// Tests for Fernet: the spec's vector, tamper detection, and interop with Python's cryptography.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { decodeBase64Url, Fernet, generateFernetKey } from './fernet.js';
import { hasCode } from '../errors.js';

const PYTHON = '/usr/bin/python3';

/** Runs `script` with Debian's python3 (which has python3-cryptography), feeding `input`. */
function python(script: string, input: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync(PYTHON, ['-c', script], { input, encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout ?? '', err: r.stderr ?? String(r.error) };
}

const pythonHasFernet = python('import cryptography.fernet', '').ok;

test('Fernet reproduces the spec generate vector', () => {
  // github.com/fernet/spec generate.json
  const f = new Fernet('cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=');
  const iv = Buffer.from([...Array(16).keys()]);
  const token = f.encrypt('hello', Date.parse('1985-10-26T01:20:00-07:00') / 1000, iv);
  assert.equal(
    token,
    'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==',
  );
  assert.equal(f.decrypt(token).toString(), 'hello');
});

test('Fernet round-trips and generates 32-byte keys in Python text form', () => {
  const key = generateFernetKey();
  assert.equal(key.length, 44);
  assert.equal(decodeBase64Url(key)?.length, 32);
  const f = new Fernet(key);
  const text = 'é'.repeat(1000);
  assert.equal(f.decrypt(f.encrypt(text)).toString('utf8'), text);
  assert.equal(f.decrypt(f.encrypt('')).toString('utf8'), '');
});

test('Fernet rejects a token with any byte changed', () => {
  const f = new Fernet(generateFernetKey());
  const raw = Buffer.from(f.encrypt('secret stuff'), 'base64url');
  for (const at of [0, 5, 12, 30, raw.length - 1]) {
    const bad = Buffer.from(raw);
    bad[at] = bad[at]! ^ 0x01;
    assert.throws(
      () => f.decrypt(bad.toString('base64url')),
      (err) => hasCode(err, 'ERR_VAULT_CORRUPT'),
      `byte ${at}`,
    );
  }
  assert.throws(
    () => f.decrypt('not a token!'),
    (err) => hasCode(err, 'ERR_VAULT_CORRUPT'),
  );
  assert.throws(
    () => f.decrypt(''),
    (err) => hasCode(err, 'ERR_VAULT_CORRUPT'),
  );
});

test('Fernet rejects a token made with another key', () => {
  const token = new Fernet(generateFernetKey()).encrypt('x');
  assert.throws(
    () => new Fernet(generateFernetKey()).decrypt(token),
    (err) => hasCode(err, 'ERR_VAULT_CORRUPT') && /different key/.test((err as Error).message),
  );
});

test('Fernet rejects malformed keys with ERR_VAULT_KEY', () => {
  for (const key of ['', 'abc', 'A'.repeat(40), generateFernetKey() + 'AAAA']) {
    assert.throws(
      () => new Fernet(key),
      (err) => hasCode(err, 'ERR_VAULT_KEY'),
      key,
    );
  }
});

test('Fernet enforces a TTL only when asked', () => {
  const f = new Fernet(generateFernetKey());
  const token = f.encrypt('x', 1000);
  assert.equal(Fernet.timestampOf(token), 1000);
  assert.equal(f.decrypt(token).toString(), 'x');
  assert.equal(f.decrypt(token, { ttlSeconds: 60, nowSeconds: 1059 }).toString(), 'x');
  assert.throws(
    () => f.decrypt(token, { ttlSeconds: 60, nowSeconds: 1061 }),
    (err) => hasCode(err, 'ERR_VAULT_CORRUPT'),
  );
});

test(
  'Fernet interoperates with Python cryptography in both directions',
  {
    skip: pythonHasFernet
      ? false
      : `${PYTHON} lacks the cryptography module (python3-cryptography)`,
  },
  () => {
    const plaintext = '{"version":1,"credentials":[{"name":"ü","secrets":{"password":"p@ss"}}]}';

    // Python makes the key and the token; we decrypt.
    const made = python(
      [
        'import sys, json',
        'from cryptography.fernet import Fernet',
        'k = Fernet.generate_key()',
        't = Fernet(k).encrypt(sys.stdin.buffer.read())',
        'print(json.dumps({"key": k.decode(), "token": t.decode()}))',
      ].join('\n'),
      plaintext,
    );
    assert.ok(made.ok, made.err);
    const { key, token } = JSON.parse(made.out) as { key: string; token: string };
    assert.equal(new Fernet(key).decrypt(token).toString('utf8'), plaintext);

    // We make the key and the token; Python decrypts.
    const ourKey = generateFernetKey();
    const ourToken = new Fernet(ourKey).encrypt(plaintext);
    const read = python(
      [
        'import sys',
        'from cryptography.fernet import Fernet',
        'k, t = sys.stdin.read().split()',
        'sys.stdout.buffer.write(Fernet(k.encode()).decrypt(t.encode()))',
      ].join('\n'),
      `${ourKey}\n${ourToken}\n`,
    );
    assert.ok(read.ok, read.err);
    assert.equal(read.out, plaintext);
  },
);
