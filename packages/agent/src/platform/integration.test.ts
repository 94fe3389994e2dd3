// Tests IntegrationStore: the token encrypted with the vault's key and never in clear on disk,
// sharing key.enc with the credential vault, and refusing what it cannot read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDataDir, type DataDir } from '../config/data-dir.js';
import { Vault } from '../vault/vault.js';
import { Fernet } from '../vault/fernet.js';
import { IntegrationStore, integrationFile } from './integration.js';
import { rejectsWithCode } from '../../../../test/support/errors.js';

const TOKEN = 'nst_' + 'S3cr3tT0k3n'.repeat(4);

function withDir(fn: (dir: DataDir) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), 'nopesight-integration-'));
    try {
      await fn(await ensureDataDir(root));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

/** Every byte under `dir` (recursively), to search for a secret. */
export function everyFile(dir: string): { path: string; content: Buffer }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return { path, content: readFileSync(path) };
    });
}

const input = {
  name: 'prod',
  apiUrl: 'https://cmdb.example.com/',
  agentId: 'edge-01',
  apiToken: TOKEN,
};

test(
  'save keeps the settings and an encrypted token; load decrypts it; the token is in no file',
  withDir(async (dir) => {
    const store = new IntegrationStore(dir);
    assert.equal(await store.settings(), null);
    const { settings, replaced } = await store.save(input);
    assert.equal(replaced, false);
    assert.equal(settings.apiUrl, 'https://cmdb.example.com/api');
    assert.equal(settings.wsUrl, 'wss://cmdb.example.com/api/discovery/agents/ws');
    assert.equal(settings.tlsVerify, true);
    assert.equal((await store.load())?.apiToken, TOKEN);
    assert.equal(statSync(integrationFile(dir)).mode & 0o777, 0o600);
    assert.equal(statSync(dir.keyFile).mode & 0o777, 0o600);
    for (const f of everyFile(dir.root)) {
      assert.ok(!f.content.includes(TOKEN), `${f.path} holds the token`);
    }
    // Any Fernet implementation with key.enc reads it (docs/vault.md).
    const doc = JSON.parse(readFileSync(integrationFile(dir), 'utf8'));
    const key = readFileSync(dir.keyFile, 'utf8');
    assert.equal(new Fernet(key).decrypt(doc.integration.apiTokenFernet).toString('utf8'), TOKEN);
    assert.equal((await store.save({ ...input, name: 'prod2' })).replaced, true);
  }),
);

test(
  'the integration and the credential vault share key.enc, in either order',
  withDir(async (dir) => {
    await new IntegrationStore(dir).save(input);
    const keyBefore = readFileSync(dir.keyFile);
    const vault = await Vault.open(dir);
    await vault.add({ name: 'c', kind: 'snmp', scope: [], secrets: { community: 'pub-lic' } });
    assert.deepEqual(readFileSync(dir.keyFile), keyBefore, 'the vault used the existing key');
    assert.equal((await new IntegrationStore(dir).load())?.apiToken, TOKEN);
    assert.equal((await Vault.open(dir)).list().length, 1);
  }),
);

test(
  'with a vault but no key.enc, nothing is made: ERR_VAULT_KEY',
  withDir(async (dir) => {
    const vault = await Vault.open(dir);
    await vault.add({ name: 'c', kind: 'snmp', scope: [], secrets: { community: 'pub-lic' } });
    rmSync(dir.keyFile);
    await rejectsWithCode(new IntegrationStore(dir).save(input), 'ERR_VAULT_KEY', [TOKEN]);
    assert.equal(await new IntegrationStore(dir).settings(), null);
  }),
);

test(
  'a modified token or a missing key is refused on load, never shown',
  withDir(async (dir) => {
    const store = new IntegrationStore(dir);
    await store.save(input);
    const doc = JSON.parse(readFileSync(integrationFile(dir), 'utf8'));
    const saved = doc.integration.apiTokenFernet as string;
    doc.integration.apiTokenFernet =
      saved.slice(0, 20) + (saved[20] === 'A' ? 'B' : 'A') + saved.slice(21);
    writeFileSync(integrationFile(dir), JSON.stringify(doc));
    await rejectsWithCode(store.load(), 'ERR_VAULT_CORRUPT', [TOKEN]);
    rmSync(dir.keyFile);
    await rejectsWithCode(store.load(), 'ERR_VAULT_KEY', [TOKEN]);
    writeFileSync(integrationFile(dir), '{"version": 7}');
    await rejectsWithCode(store.settings(), 'ERR_CONFIG_INVALID');
  }),
);

test(
  'bad fields are named; a bad token is refused without quoting it',
  withDir(async (dir) => {
    const store = new IntegrationStore(dir);
    const bad = [
      [{ ...input, agentId: 'edge 01' }, /--agent-id/],
      [{ ...input, apiUrl: 'http://cmdb.example.com' }, /loopback/],
      [{ ...input, name: '' }, /--name/],
      [{ ...input, wsUrl: 'ws://cmdb.example.com/ws' }, /--ws-url/],
      [{ ...input, apiToken: 'has space inside' }, /printable ASCII/],
      [{ ...input, apiToken: '  ' }, /empty/],
    ] as const;
    for (const [given, why] of bad) {
      const err = await rejectsWithCode(store.save(given), 'ERR_CONFIG_INVALID', [
        'has space inside',
      ]);
      assert.match(err.message, why);
    }
    assert.equal(await store.settings(), null);
  }),
);
