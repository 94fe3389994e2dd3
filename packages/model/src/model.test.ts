import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentialKindFor, PROTOCOL_STATUSES } from './index.js';

test('model package imports nothing from Node', () => {
  const dir = new URL('.', import.meta.url).pathname;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    assert.doesNotMatch(text, /from ['"](node:|fs|path|os|net|crypto)/, file);
  }
});

test('the platform has exactly seven protocol statuses', () => {
  assert.equal(PROTOCOL_STATUSES.length, 7);
});

test('credentialKindFor maps winrm to windows credentials', () => {
  assert.equal(credentialKindFor('winrm'), 'windows');
  assert.equal(credentialKindFor('ssh'), 'ssh');
});
