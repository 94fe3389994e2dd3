// Tests HostKeyStore: trust on first use, a changed key, explicit re-trust, and the transport check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './database.js';
import { HostKeyStore } from './host-keys.js';
import { ScannerError } from '../errors.js';

const A = 'SHA256:' + 'A'.repeat(43);
const B = 'SHA256:' + 'B'.repeat(43);
const C = 'SHA256:' + 'C'.repeat(43);

function withStore(fn: (store: HostKeyStore, tick: () => void) => void): () => void {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'nopesight-hostkeys-'));
    const db = openDatabase(join(dir, 'scanner.db'));
    let t = Date.parse('2026-11-29T10:00:00Z');
    try {
      fn(new HostKeyStore(db, () => new Date(t)), () => (t += 60_000));
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const changed = (fn: () => void): ScannerError => {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ScannerError, 'expected a ScannerError');
  return caught;
};

test(
  'the first key a host offers is pinned and accepted; the same key again is accepted',
  withStore((store, tick) => {
    store.verify('198.18.0.10', 22, 'ssh-ed25519', A);
    tick();
    store.verify('198.18.0.10', 22, 'ssh-ed25519', A);
    const pin = store.get('198.18.0.10', 22);
    assert.equal(pin?.fingerprint, A);
    assert.equal(pin?.firstSeen, '2026-11-29T10:00:00.000Z');
    assert.equal(pin?.lastSeen, '2026-11-29T10:01:00.000Z');
    assert.equal(pin?.offered, null);
  }),
);

test(
  'a changed key fails with ERR_HOST_KEY_CHANGED naming both fingerprints and the trust command',
  withStore((store) => {
    store.verify('198.18.0.10', 2222, 'ssh-ed25519', A);
    const err = changed(() => store.verify('198.18.0.10', 2222, 'ssh-ed25519', B));
    assert.equal(err.code, 'ERR_HOST_KEY_CHANGED');
    assert.ok(err.message.includes(A) && err.message.includes(B), err.message);
    assert.match(err.message, /host-keys trust 198\.18\.0\.10 --port 2222/);
    // The pin is unchanged; the offered key is remembered for an explicit trust.
    const pin = store.get('198.18.0.10', 2222)!;
    assert.equal(pin.fingerprint, A);
    assert.equal(pin.offered?.fingerprint, B);
  }),
);

test(
  'a key of another type is a change too (the pinned type is negotiated first)',
  withStore((store) => {
    store.verify('198.18.0.10', 22, 'ssh-rsa', A);
    assert.deepEqual(store.checkFor('198.18.0.10', 22).preferredAlgorithms, [
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    assert.equal(
      changed(() => store.verify('198.18.0.10', 22, 'ssh-ed25519', A)).code,
      'ERR_HOST_KEY_CHANGED',
    );
  }),
);

test(
  'trust accepts exactly the key last offered, and refuses another fingerprint',
  withStore((store, tick) => {
    store.verify('198.18.0.10', 22, 'ssh-ed25519', A);
    changed(() => store.verify('198.18.0.10', 22, 'ssh-ed25519', B));
    tick();
    const wrong = changed(() => store.trust('198.18.0.10', 22, C));
    assert.equal(wrong.code, 'ERR_CONFIG_INVALID');
    assert.equal(store.get('198.18.0.10', 22)?.fingerprint, A);
    const pin = store.trust('198.18.0.10', 22, B);
    assert.equal(pin.fingerprint, B);
    assert.equal(pin.offered, null);
    store.verify('198.18.0.10', 22, 'ssh-ed25519', B);
    assert.equal(
      changed(() => store.verify('198.18.0.10', 22, 'ssh-ed25519', A)).code,
      'ERR_HOST_KEY_CHANGED',
    );
  }),
);

test(
  'trust without a fingerprint takes the offered key; with nothing offered it explains why not',
  withStore((store) => {
    assert.match(changed(() => store.trust('198.18.0.10', 22)).message, /no host key is known/);
    store.verify('198.18.0.10', 22, 'ssh-ed25519', A);
    assert.match(changed(() => store.trust('198.18.0.10', 22)).message, /nothing to trust/);
    changed(() => store.verify('198.18.0.10', 22, 'ssh-ed25519', B));
    assert.equal(store.trust('198.18.0.10', 22).fingerprint, B);
    assert.match(
      changed(() => store.trust('198.18.0.10', 22, 'SHA256:short')).message,
      /not an SSH SHA256 fingerprint/,
    );
  }),
);

test(
  'list and remove; a removed host is pinned afresh on its next key',
  withStore((store) => {
    store.verify('198.18.0.11', 22, 'ssh-ed25519', A);
    store.verify('198.18.0.10', 22, 'ssh-ed25519', B);
    store.verify('198.18.0.10', 2222, 'ssh-ed25519', C);
    assert.deepEqual(
      store.list().map((k) => `${k.address}:${k.port}`),
      ['198.18.0.10:22', '198.18.0.10:2222', '198.18.0.11:22'],
    );
    assert.equal(store.list('198.18.0.10').length, 2);
    assert.equal(store.remove('198.18.0.10', 22), true);
    assert.equal(store.remove('198.18.0.10', 22), false);
    store.verify('198.18.0.10', 22, 'ssh-ed25519', A);
    assert.equal(store.get('198.18.0.10', 22)?.fingerprint, A);
  }),
);

test(
  'checkFor gives the transport a check that pins and throws on a change',
  withStore((store) => {
    const first = store.checkFor('198.18.0.10', 22);
    assert.deepEqual(first.preferredAlgorithms, []);
    assert.equal(first.verify(A, 'ssh-ed25519'), true);
    const second = store.checkFor('198.18.0.10', 22);
    assert.deepEqual(second.preferredAlgorithms, ['ssh-ed25519']);
    assert.throws(() => second.verify(B, 'ssh-ed25519'), /changed/);
  }),
);
