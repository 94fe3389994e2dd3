import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, ScannerError, statusForError } from './errors.js';
import { statusFor } from './gui/server/http.js';

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

test('the GUI API codes are in the registry with the HTTP status their row names', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const gui = ERROR_CODES.filter((c) => c.startsWith('ERR_GUI_') || c === 'ERR_SCAN_RUNNING');
  assert.deepEqual([...gui].sort(), [
    'ERR_GUI_AUTH',
    'ERR_GUI_BAD_REQUEST',
    'ERR_GUI_CSRF',
    'ERR_GUI_INTERNAL',
    'ERR_GUI_NOT_FOUND',
    'ERR_SCAN_RUNNING',
  ]);
  for (const code of gui) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    assert.ok(row, `${code} has a row`);
    assert.match(row, new RegExp(`HTTP ${statusFor(code)}\\b`), `${code}: HTTP ${statusFor(code)}`);
  }
});
