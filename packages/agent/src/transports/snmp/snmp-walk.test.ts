// SnmpSession.walk() against hostile in-process agents (test/support/snmp-fault-agent.ts), plus
// the walk loop's OID ordering and abort handling on a scripted fetch.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ScannerError } from '../../errors.js';
import type { SnmpCredential } from '../../vault/credential-types.js';
import { openSnmp, type SnmpSessionOptions } from './snmp-session.js';
import { compareOids, oidIsUnder, walkSubtree, type WalkPage } from './snmp-walk.js';
import { rejectsWithCode } from '../../../../../test/support/errors.js';
import {
  startSnmpFaultAgent,
  type SnmpFault,
  type SnmpFaultAgent,
} from '../../../../../test/support/snmp-fault-agent.js';

const COMMUNITY = 'fault-Community-7';
const agents: SnmpFaultAgent[] = [];
after(async () => {
  await Promise.all(agents.map((a) => a.close()));
});

async function agent(fault: SnmpFault): Promise<SnmpFaultAgent> {
  const a = await startSnmpFaultAgent({ community: COMMUNITY, fault });
  agents.push(a);
  return a;
}

function session(
  a: SnmpFaultAgent,
  opts: Partial<SnmpSessionOptions> = {},
  version: '1' | '2c' = '2c',
) {
  const credential: SnmpCredential = {
    id: 'cred-fault',
    name: 'fault',
    kind: 'snmp',
    scope: [],
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    version,
    port: a.port,
  };
  return openSnmp(
    '127.0.0.1',
    { credential, secrets: { community: COMMUNITY } },
    { timeoutMs: 200, retries: 1, ...opts },
  );
}

const live = () => AbortSignal.timeout(30_000);

/** Starts an agent with `fault`, walks its root once on a fresh session and closes the session. */
async function walkOnce(
  fault: SnmpFault,
  opts: Partial<SnmpSessionOptions>,
  walkOpts: { maxVarbinds?: number } = {},
  version: '1' | '2c' = '2c',
) {
  const a = await agent(fault);
  const s = session(a, opts, version);
  try {
    return { a, r: await s.walk(a.root, { signal: live(), ...walkOpts }) };
  } finally {
    s.close();
  }
}

test('compareOids orders arc by arc and oidIsUnder needs a whole arc', () => {
  assert.equal(compareOids('1.3.6.1.2', '1.3.6.1.10'), -1);
  assert.equal(compareOids('1.3.6.1.10', '1.3.6.1.10.1'), -1);
  assert.equal(compareOids('1.3.6.1.10.1', '1.3.6.1.10.1'), 0);
  assert.equal(compareOids('1.3.6.2', '1.3.6.1.99'), 1);
  assert.ok(oidIsUnder('1.3.6.1.2.1.2', '1.3.6.1.2.1.2.2.1.1.1'));
  assert.ok(!oidIsUnder('1.3.6.1.2.1.2', '1.3.6.1.2.1.25.1.0'));
  assert.ok(!oidIsUnder('1.3.6.1.2.1.2', '1.3.6.1.2.1.2'));
});

describe('SnmpSession.walk against hostile agents', () => {
  test('a silent agent: ERR_TIMEOUT after exactly retries + 1 requests', async () => {
    const a = await agent({ kind: 'silent' });
    const s = session(a, { timeoutMs: 150, retries: 2 });
    try {
      const err = await rejectsWithCode(s.walk(a.root, { signal: live() }), 'ERR_TIMEOUT', [
        COMMUNITY,
      ]);
      assert.match(err.message, /150ms × 3 tries/);
      assert.equal(a.requests, 3);
    } finally {
      s.close();
    }
  });

  test('the same OID forever: stops after one varbind with ERR_PROTOCOL, a bounded number of requests', async () => {
    const { a, r } = await walkOnce({ kind: 'same-oid' }, {});
    assert.equal(r.varbinds.length, 1);
    assert.equal(r.varbinds[0]!.oid, `${a.root}.1.0`);
    assert.equal(r.truncated, true);
    assert.ok(r.error instanceof ScannerError);
    assert.equal(r.error.code, 'ERR_PROTOCOL');
    assert.match(r.error.message, /not increasing/);
    assert.equal(a.requests, 2);
  });

  test('OIDs that go backwards: keeps the rows before the jump and flags the error', async () => {
    const { a, r } = await walkOnce(
      { kind: 'backwards', rows: 100, goodRows: 30 },
      { maxRepetitions: 10 },
    );
    assert.deepEqual(
      r.varbinds.map((vb) => vb.oid),
      Array.from({ length: 30 }, (_, i) => `${a.root}.1.${i + 1}`),
    );
    assert.equal(r.error?.code, 'ERR_PROTOCOL');
    assert.match(r.error.message, /\.1\.1 after .*\.1\.30/);
    assert.equal(r.truncated, true);
  });

  test('an endless table: capped at the walk’s maxVarbinds, truncated without error', async () => {
    const { a, r } = await walkOnce(
      { kind: 'endless' },
      { maxRepetitions: 25 },
      { maxVarbinds: 1000 },
    );
    assert.equal(r.varbinds.length, 1000);
    assert.equal(r.truncated, true);
    assert.equal(r.error, null);
    assert.equal(a.requests, 40);
  });

  test('huge values: the session’s byte budget bounds what is kept', async () => {
    const a = await agent({ kind: 'endless', valueBytes: 60_000 });
    const maxBytes = 1024 * 1024;
    const s = session(a, { maxBytes });
    try {
      const r = await s.walk(a.root, { signal: live() });
      const kept = r.varbinds.reduce((n, vb) => n + (vb.value as Buffer).length, 0);
      assert.equal(r.truncated, true);
      assert.equal(r.error, null);
      assert.ok(kept <= maxBytes, `kept ${kept} bytes`);
      assert.equal(r.varbinds.length, Math.floor(maxBytes / (60_000 + 64)));
      assert.ok(a.requests <= r.varbinds.length + 1);
    } finally {
      s.close();
    }
  });

  test('the session’s varbind budget is shared by its walks', async () => {
    const a = await agent({ kind: 'endless' });
    const s = session(a, { maxVarbinds: 150 });
    try {
      const first = await s.walk(a.root, { signal: live(), maxVarbinds: 100 });
      const second = await s.walk(a.root, { signal: live(), maxVarbinds: 100 });
      const third = await s.walk(a.root, { signal: live() });
      assert.deepEqual(
        [first, second, third].map((r) => [r.varbinds.length, r.truncated, r.error]),
        [
          [100, true, null],
          [50, true, null],
          [0, true, null],
        ],
      );
    } finally {
      s.close();
    }
  });

  test('tooBig: halves max-repetitions until the agent answers, and reads the whole table', async () => {
    const { a, r } = await walkOnce(
      { kind: 'too-big', rows: 60, maxRepetitions: 8 },
      { maxRepetitions: 40 },
    );
    assert.equal(r.error, null);
    assert.equal(r.truncated, false);
    assert.equal(r.varbinds.length, 60);
    assert.deepEqual(a.repetitionsAsked.slice(0, 3), [40, 20, 10]);
    assert.ok(a.repetitionsAsked.slice(3).every((n) => n === 5));
  });

  test('v1 walks with GETNEXT and ends at noSuchName', async () => {
    const { a, r } = await walkOnce({ kind: 'table', rows: 12 }, {}, {}, '1');
    assert.deepEqual(
      { n: r.varbinds.length, truncated: r.truncated, error: r.error, bulk: a.repetitionsAsked },
      { n: 12, truncated: false, error: null, bulk: [] },
    );
    assert.equal(a.requests, 13);
  });

  test('walkMany on a silent agent: every root ends in ERR_TIMEOUT, each after retries + 1 requests', async () => {
    const a = await agent({ kind: 'silent' });
    const s = session(a, { timeoutMs: 150, retries: 1 });
    try {
      const roots = [`${a.root}.1`, `${a.root}.2`, `${a.root}.3`];
      const results = await s.walkMany(roots, { signal: live() });
      assert.deepEqual(
        results.map((r) => [r.varbinds.length, r.truncated, r.error?.code]),
        roots.map(() => [0, true, 'ERR_TIMEOUT']),
      );
      assert.equal(a.requests, 6);
    } finally {
      s.close();
    }
  });

  test('a malformed root OID is ERR_CONFIG_INVALID and sends nothing', async () => {
    const a = await agent({ kind: 'table', rows: 1 });
    const s = session(a);
    try {
      await rejectsWithCode(s.walk('ifTable', { signal: live() }), 'ERR_CONFIG_INVALID');
      assert.equal(a.requests, 0);
    } finally {
      s.close();
    }
  });
});

describe('walkSubtree on a scripted fetch', () => {
  const page = (...oids: string[]): WalkPage => ({
    kind: 'varbinds',
    varbinds: oids.map((oid) => ({ oid, type: 'Integer', value: 1 })),
  });
  const params = (fetch: (oid: string) => Promise<WalkPage>, signal: AbortSignal) => ({
    root: '1.3.6.1.2.1.2',
    signal,
    maxVarbinds: 1000,
    maxRepetitions: 10,
    budget: { varbinds: 1000, bytes: 1_000_000 },
    fetch,
  });

  test('an abort after the first page keeps that page and reports the abort', async () => {
    const ctl = new AbortController();
    let calls = 0;
    const r = await walkSubtree(
      params(async () => {
        calls++;
        if (calls === 1) return page('1.3.6.1.2.1.2.1.0', '1.3.6.1.2.1.2.2.1.1.1');
        ctl.abort();
        throw new ScannerError('ERR_ABORTED', 'aborted');
      }, ctl.signal),
    );
    assert.equal(r.varbinds.length, 2);
    assert.equal(r.truncated, true);
    assert.equal(r.error?.code, 'ERR_ABORTED');
  });

  test('an aborted signal before the first request rejects with ERR_ABORTED', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await rejectsWithCode(
      walkSubtree(params(() => Promise.resolve(page('1.3.6.1.2.1.2.1.0')), ctl.signal)),
      'ERR_ABORTED',
    );
  });

  test('a varbind past the subtree or endOfMibView ends the walk without error', async () => {
    const r = await walkSubtree(
      params(
        () =>
          Promise.resolve(page('1.3.6.1.2.1.2.1.0', '1.3.6.1.2.1.2.2.1.1.1', '1.3.6.1.2.1.3.1')),
        new AbortController().signal,
      ),
    );
    assert.deepEqual(
      { n: r.varbinds.length, truncated: r.truncated, error: r.error },
      { n: 2, truncated: false, error: null },
    );
    const end = await walkSubtree(
      params(
        () =>
          Promise.resolve({
            kind: 'varbinds',
            varbinds: [{ oid: '1.3.6.1.2.1.2.1.0', type: 'EndOfMibView', value: null }],
          }),
        new AbortController().signal,
      ),
    );
    assert.deepEqual(end, { varbinds: [], truncated: false, error: null });
  });

  test('an empty answer is an ERR_PROTOCOL fault, never a loop', async () => {
    let calls = 0;
    const r = await walkSubtree(
      params(async () => {
        calls++;
        return calls === 1 ? page('1.3.6.1.2.1.2.1.0') : { kind: 'varbinds', varbinds: [] };
      }, new AbortController().signal),
    );
    assert.equal(r.varbinds.length, 1);
    assert.equal(r.error?.code, 'ERR_PROTOCOL');
    assert.equal(calls, 2);
  });
});
