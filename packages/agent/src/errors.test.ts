import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, ScannerError, statusForError } from './errors.js';

test('every error code is documented in docs/errors.md', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  for (const code of ERROR_CODES)
    assert.ok(doc.includes(`\`${code}\``), `${code} is not documented`);
});

test('statusForError maps codes to the platform statuses', () => {
  assert.equal(statusForError(new ScannerError('ERR_AUTH_FAILED', 'x')), 'unauthorized');
  assert.equal(statusForError(new ScannerError('ERR_TIMEOUT', 'x')), 'timeout');
  assert.equal(statusForError(new ScannerError('ERR_UNREACHABLE', 'x')), 'unreachable');
  assert.equal(statusForError(new ScannerError('ERR_ACCESS_DENIED', 'x')), 'no_access');
  assert.equal(statusForError(new ScannerError('ERR_RPC', 'x')), 'rpc_error');
  assert.equal(statusForError(new Error('plain')), 'failed');
});
