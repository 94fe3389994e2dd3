// Tests for credential scope matching over discovery/targets: addresses, CIDRs, ranges, hostnames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScope, validateScope } from './scope.js';
import { ScannerError } from '../errors.js';

test('compileScope with no tokens matches every host', () => {
  assert.equal(compileScope([]).contains('192.0.2.1'), true);
});

test('compileScope matches addresses, CIDRs and dash ranges', () => {
  const s = compileScope([
    '192.0.2.7',
    '10.1.0.0/16',
    '172.16.0.10-20',
    '198.51.100.250-198.51.101.3',
    '2001:db8::/32',
  ]);
  for (const a of [
    '192.0.2.7',
    '10.1.255.255',
    '172.16.0.10',
    '172.16.0.20',
    '198.51.101.0',
    '2001:db8::1',
  ]) {
    assert.equal(s.contains(a), true, a);
  }
  for (const a of [
    '192.0.2.8',
    '10.2.0.0',
    '172.16.0.21',
    '172.16.0.9',
    '198.51.101.4',
    '2001:db9::1',
  ]) {
    assert.equal(s.contains(a), false, a);
  }
});

test('compileScope matches hostname tokens against the names known for the host', () => {
  const s = compileScope(['DB1.corp.example.']);
  assert.equal(s.contains('192.0.2.1', ['db1.corp.example']), true);
  assert.equal(s.contains('192.0.2.1', ['db2.corp.example']), false);
  assert.equal(s.contains('192.0.2.1'), false);
});

test('validateScope names the bad token and refuses @files', () => {
  for (const token of ['10.0.0.300', '10.0.0.0/33', '10.0.0.9-3', '@targets.txt', 'bad_host!']) {
    assert.throws(
      () => validateScope(['192.0.2.1', token]),
      (err) =>
        err instanceof ScannerError &&
        err.code === 'ERR_TARGET_INVALID' &&
        err.message.includes(token),
      token,
    );
  }
});
