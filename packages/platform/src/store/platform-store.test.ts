// The store on both drivers: migrations, tokens, idempotent and atomic ingest, reconciliation
// through SQL, reads.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { batch, hostRecord } from '../testing/fixtures.js';
import { storeKinds } from '../testing/stores.js';
import { parseScanBatch } from '../ingest/validate.js';
import { ingestBatch } from '../ingest/ingest.js';
import { migrate } from './migrate.js';
import type { SqlDriver, SqlExecutor } from './driver.js';
import { createToken, hashToken } from '../tokens.js';

const NOW = '2026-11-29T09:00:00.000Z';
const parsed = (b: ReturnType<typeof batch>) =>
  parseScanBatch(b, `${b.agentId}:${b.scanId}:${b.seq}`);

/** A driver whose transactions fail at the n-th statement: a crash at that point, replayed. */
function failingAt(driver: SqlDriver, n: number): SqlDriver & { reached: () => boolean } {
  let count = 0;
  const wrap = (ex: SqlExecutor): SqlExecutor => {
    const tick = (): void => {
      if (++count === n) throw new Error(`injected failure at statement ${n}`);
    };
    return {
      all: async (sql, p) => (tick(), ex.all(sql, p)),
      get: async (sql, p) => (tick(), ex.get(sql, p)),
      run: async (sql, p) => (tick(), ex.run(sql, p)),
      exec: async (sql) => (tick(), ex.exec(sql)),
    };
  };
  return {
    ...driver,
    dialect: driver.dialect,
    location: driver.location,
    transaction: (fn) => driver.transaction((tx) => fn(wrap(tx))),
    reached: () => count >= n,
  };
}

for (const kind of storeKinds()) {
  describe(`store (${kind.name})`, { skip: kind.skip }, () => {
    after(() => kind.cleanup());

    test('migrate is idempotent and refuses a newer schema', async () => {
      const store = await kind.open();
      assert.equal(await migrate(store.driver), 1);
      await store.driver.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [
        99,
        NOW,
      ]);
      await assert.rejects(migrate(store.driver), /schema version 99, newer than this platform/);
    });

    test('tokens are stored hashed, listed without secrets, revoked by name', async () => {
      const store = await kind.open();
      const { token, info } = await createToken(store, { name: 'edge', agentId: 'edge-01' });
      assert.match(token, /^nst_[A-Za-z0-9_-]{43}$/);
      const rows = await store.driver.all<{ hash: string }>('SELECT hash FROM tokens');
      assert.deepEqual(rows, [{ hash: hashToken(token) }]);
      assert.equal(JSON.stringify(await store.listTokens()).includes(token), false);
      await assert.rejects(createToken(store, { name: 'edge' }), /exists already/);
      assert.equal((await store.findActiveToken(hashToken(token)))?.id, info.id);
      assert.equal(await store.revokeToken('edge', NOW), true);
      assert.equal(await store.revokeToken('edge', NOW), false);
      assert.equal(await store.findActiveToken(hashToken(token)), undefined);
      // The name is free again once revoked.
      await createToken(store, { name: 'edge' });
    });

    test('a batch is stored once per key; a repeat is a duplicate and changes nothing', async () => {
      const store = await kind.open();
      const b = parsed(batch('edge-01', 'scan-1', 0, [hostRecord({ serial: 'SN-0001' })]));
      const first = await store.ingest(b, 'sha', NOW);
      assert.deepEqual([first.accepted, first.duplicate], [1, false]);
      const before = await store.listCis({}, { page: 1, limit: 50 });
      const again = await store.ingest(b, 'sha', '2026-11-29T10:00:00.000Z');
      assert.deepEqual([again.accepted, again.duplicate], [0, true]);
      assert.deepEqual(await store.listCis({}, { page: 1, limit: 50 }), before);
      const scans = await store.listScans({}, { page: 1, limit: 50 });
      assert.equal(scans.data[0]!.batchesReceived, 1);
    });

    test('batches out of order make the same CIs and scan log as in order', async () => {
      const hosts = [0, 1, 2].map((i) =>
        hostRecord({ address: `198.18.0.${10 + i}`, serial: `SN-${i}`, hostname: `h${i}` }),
      );
      const batches = hosts.map((h, i) => parsed(batch('a1', 's1', i, [h], i === 2)));
      const inOrder = await kind.open();
      for (const b of batches) await inOrder.ingest(b, 'x', NOW);
      const shuffled = await kind.open();
      for (const b of [batches[2]!, batches[0]!, batches[1]!, batches[0]!]) {
        await shuffled.ingest(b, 'x', NOW);
      }
      const names = async (s: typeof inOrder) =>
        (await s.listCis({}, { page: 1, limit: 50 })).data.map((c) => c.name);
      assert.deepEqual(await names(shuffled), await names(inOrder));
      const scan = (await shuffled.listScans({}, { page: 1, limit: 5 })).data[0]!;
      assert.deepEqual(
        [scan.state, scan.batchesReceived, scan.batchesExpected, scan.hosts],
        ['completed', 3, 3, 3],
      );
      assert.deepEqual(scan.protocols, { ssh: { success: 3 } });
    });

    test('a failure at any statement leaves no trace, and the retry applies the batch whole', async () => {
      const store = await kind.open();
      const host = hostRecord({
        serial: 'SN-ATOMIC',
        relationships: [{ type: 'depends_on', target: '10.0.0.5', evidence: { remotePort: 5432 } }],
      });
      const b = parsed(
        batch(
          'a1',
          's-atomic',
          0,
          [host, hostRecord({ address: '198.18.0.99', serial: 'SN-2' })],
          true,
        ),
      );
      // Replays a crash after every statement of the transaction in turn.
      for (let n = 1; n <= 200; n++) {
        const faulty = failingAt(store.driver, n);
        let failed = false;
        try {
          await ingestBatch(faulty, b, { bodySha256: 'x', now: NOW });
        } catch (err) {
          assert.match((err as Error).message, /injected failure/);
          failed = true;
        }
        if (!failed) break;
        assert.deepEqual(
          await store.counts(),
          { cis: 0, relationships: 0, batches: 0 },
          `after failing at ${n}`,
        );
        const scans = await store.listScans({}, { page: 1, limit: 5 });
        assert.equal(scans.total, 0);
        assert.ok(n < 200, 'the ingest should finish within 200 statements');
      }
      assert.deepEqual(await store.counts(), { cis: 2, relationships: 1, batches: 1 });
    });

    test('a rescan updates the same CI; a partial section keeps what a complete one stored', async () => {
      const store = await kind.open();
      const pkgs = [{ name: 'openssh-server' }, { name: 'curl' }];
      const first = hostRecord({
        systemUuid: '4c4c4544-0042-3510-8052-b4c04f4a4b32',
        sections: {
          software: { state: 'complete', data: pkgs },
          users: { state: 'complete', data: [{ name: 'ann' }] },
        },
      });
      const r1 = await store.ingest(parsed(batch('a1', 's1', 0, [first], false)), 'x', NOW);
      const second = hostRecord({
        systemUuid: '4C4C4544-0042-3510-8052-B4C04F4A4B32',
        address: '198.18.0.77',
        at: '2026-11-30T08:00:00.000Z',
        sections: {
          software: { state: 'partial', data: [{ name: 'vim' }] },
          users: { state: 'denied' },
        },
      });
      const r2 = await store.ingest(parsed(batch('a1', 's2', 0, [second], false)), 'x', NOW);
      assert.equal(r2.cis[0]!.ciId, r1.cis[0]!.ciId);
      assert.equal(r2.cis[0]!.rule, 'uuid');
      const ci = (await store.getCi(r1.cis[0]!.ciId))!;
      const sections = ci.sections as Record<string, { state: string; data: unknown }>;
      assert.deepEqual(sections.software!.data, [{ name: 'vim' }, ...pkgs]);
      assert.equal(sections.users!.state, 'denied');
      assert.deepEqual(sections.users!.data, [{ name: 'ann' }]);
      assert.deepEqual(ci.addresses, ['198.18.0.77', '198.18.0.10']);
      assert.equal((await store.counts()).cis, 1);
    });

    test('relationships are deduplicated and resolve to the target CI when it is known', async () => {
      const store = await kind.open();
      const rel = {
        type: 'depends_on' as const,
        target: '198.18.0.20',
        evidence: { remotePort: 5432, count: 1 },
      };
      const web = hostRecord({
        serial: 'WEB-1',
        hostname: 'web',
        relationships: [rel, { ...rel, evidence: { remotePort: 5432, count: 3 } }],
      });
      const db = hostRecord({ serial: 'DB-1', hostname: 'db', address: '198.18.0.20' });
      await store.ingest(parsed(batch('a1', 's1', 0, [web, db])), 'x', NOW);
      await store.ingest(parsed(batch('a1', 's2', 0, [web])), 'x', NOW);
      const rels = await store.listRelationships({}, { page: 1, limit: 50 });
      assert.equal(rels.total, 1);
      const dbCi = (await store.listCis({ q: 'db' }, { page: 1, limit: 5 })).data[0]!;
      assert.equal(rels.data[0]!.targetCiId, dbCi.id);
      assert.equal(rels.data[0]!.sourceName, 'web');
      assert.equal(
        (await store.listRelationships({ ciId: dbCi.id }, { page: 1, limit: 5 })).total,
        1,
      );
    });

    test('CI list pages and filters by type', async () => {
      const store = await kind.open();
      const hosts = Array.from({ length: 7 }, (_, i) =>
        hostRecord({
          address: `10.0.0.${i + 1}`,
          serial: `S-${i}`,
          hostname: `n${i}`,
          type: i < 3 ? 'workstation' : 'server',
        }),
      );
      await store.ingest(parsed(batch('a1', 's1', 0, hosts)), 'x', NOW);
      const p2 = await store.listCis({}, { page: 2, limit: 3 });
      assert.deepEqual([p2.total, p2.data.map((c) => c.name)], [7, ['n3', 'n4', 'n5']]);
      assert.equal((await store.listCis({ type: 'workstation' }, { page: 1, limit: 50 })).total, 3);
    });
  });
}
