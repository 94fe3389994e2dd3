// Tests for the redaction pass: secret-named keys at any depth, known secret values, odd values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScannerError } from '../errors.js';
import { redact, REDACTED, SecretSet } from './redact.js';

test('redact replaces secret-named keys at any depth', () => {
  const input = {
    password: 'a',
    user: 'ann',
    nested: [{ privateKey: 'b', passphrase: 'c', port: 22 }],
    snmp: { community: 'd', authPassword: 'e', privPassword: 'f' },
    ssh: { sudoPassword: 'g' },
    platform: { token: 'h', clientSecret: 'i' },
    headers: { Authorization: 'Bearer j' },
    missing: { password: undefined },
  };
  assert.deepEqual(redact(input), {
    password: REDACTED,
    user: 'ann',
    nested: [{ privateKey: REDACTED, passphrase: REDACTED, port: 22 }],
    snmp: { community: REDACTED, authPassword: REDACTED, privPassword: REDACTED },
    ssh: { sudoPassword: REDACTED },
    platform: { token: REDACTED, clientSecret: REDACTED },
    headers: { Authorization: REDACTED },
    missing: { password: undefined },
  });
  // The input is not changed.
  assert.equal(input.password, 'a');
});

test('redact scrubs known secret values from strings and errors, and survives cycles', () => {
  const secrets = new SecretSet();
  secrets.add('hunter2');
  secrets.add('hunter2-long');
  secrets.add('');
  assert.equal(secrets.size, 2);
  const cyclic: Record<string, unknown> = { note: 'pw hunter2-long and hunter2' };
  cyclic.self = cyclic;
  const err = new ScannerError('ERR_AUTH_FAILED', 'login with hunter2 refused');
  const out = redact({ cyclic, err, data: Buffer.from('hunter2') }, secrets) as Record<
    string,
    unknown
  >;
  assert.deepEqual(out.cyclic, { note: `pw ${REDACTED} and ${REDACTED}`, self: '[circular]' });
  assert.deepEqual(out.err, {
    name: 'ScannerError',
    code: 'ERR_AUTH_FAILED',
    message: `login with ${REDACTED} refused`,
  });
  assert.equal(out.data, '[7 bytes]');
});

test('redact uses toJSON for classes such as URL, still scrubbing secrets', () => {
  const secrets = new SecretSet();
  secrets.add('pw123456');
  assert.deepEqual(redact({ url: new URL('https://u:pw123456@vc.example/sdk') }, secrets), {
    url: `https://u:${REDACTED}@vc.example/sdk`,
  });
});
