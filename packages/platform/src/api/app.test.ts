// The HTTP API through fastify.inject: auth, upload and idempotency, reads, CSV, errors.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { batch, hostRecord, uploadRequest } from '../testing/fixtures.js';
import { testPlatform, type TestPlatform } from '../testing/platform.js';
import { createToken } from '../tokens.js';
import type { PlatformStore } from '../store/platform-store.js';

describe('platform HTTP API', () => {
  let platform: TestPlatform;
  let store: PlatformStore;
  let agent: string;
  let admin: string;
  let clock = new Date('2026-11-29T10:00:00.000Z');
  const adminGet = (url: string) =>
    platform.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${admin}` } });

  before(async () => {
    platform = await testPlatform({ now: () => clock, heartbeatIntervalMs: 15000 });
    ({ store, agentToken: agent, adminToken: admin } = platform);
  });
  after(() => platform.close());

  test('agents/me registers the agent and reports the platform', async () => {
    const r = await platform.app.inject({
      method: 'GET',
      url: '/api/discovery/agents/me',
      headers: { authorization: `Bearer ${agent}`, 'x-agent-id': 'edge-01' },
    });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.agentId, 'edge-01');
    assert.equal(body.status, 'online');
    assert.deepEqual(body.platform, { name: 'nopesight-platform', version: '0.1.0', protocol: 1 });
  });

  test('auth: 401 missing/unknown/revoked, 403 other agent or admin token, 400 bad agent id', async () => {
    const me = (headers: Record<string, string>) =>
      platform.app.inject({ method: 'GET', url: '/api/discovery/agents/me', headers });
    const cases: [Record<string, string>, number, string][] = [
      [{ 'x-agent-id': 'edge-01' }, 401, 'unauthorized'],
      [{ authorization: 'Bearer nst_nope', 'x-agent-id': 'edge-01' }, 401, 'unauthorized'],
      [{ authorization: `Bearer ${agent}`, 'x-agent-id': 'edge-02' }, 403, 'forbidden'],
      [{ authorization: `Bearer ${admin}`, 'x-agent-id': 'edge-01' }, 403, 'forbidden'],
      [{ authorization: `Bearer ${agent}` }, 400, 'bad_request'],
      [{ authorization: `Bearer ${agent}`, 'x-agent-id': 'bad id!' }, 400, 'bad_request'],
    ];
    for (const [headers, status, code] of cases) {
      const r = await me(headers);
      assert.equal(r.statusCode, status, JSON.stringify(headers));
      assert.equal(r.json().error.code, code);
    }
    const temp = (await createToken(store, { name: 'temp' })).token;
    assert.equal(
      (await me({ authorization: `Bearer ${temp}`, 'x-agent-id': 'edge-09' })).statusCode,
      200,
    );
    // Bound to edge-09 on first use.
    assert.equal(
      (await me({ authorization: `Bearer ${temp}`, 'x-agent-id': 'edge-10' })).statusCode,
      403,
    );
    await store.revokeToken('temp', clock.toISOString());
    assert.equal(
      (await me({ authorization: `Bearer ${temp}`, 'x-agent-id': 'edge-09' })).statusCode,
      401,
    );
  });

  test('operator endpoints need an admin token', async () => {
    const r = await platform.app.inject({
      method: 'GET',
      url: '/api/cmdb/ci',
      headers: { authorization: `Bearer ${agent}` },
    });
    assert.equal(r.statusCode, 403);
    assert.equal(
      (await platform.app.inject({ method: 'GET', url: '/api/cmdb/ci' })).statusCode,
      401,
    );
  });

  test('upload stores a batch once; the repeat is a duplicate; the CI is readable', async () => {
    const body = batch('edge-01', 'scan-a', 0, [
      hostRecord({
        serial: 'CZ2942036K',
        relationships: [
          { type: 'depends_on', target: '198.18.0.20', evidence: { remotePort: 5432 } },
        ],
      }),
    ]);
    const first = await platform.app.inject(uploadRequest(body, agent));
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { accepted: 1, duplicate: false });
    const again = await platform.app.inject(uploadRequest(body, agent));
    assert.deepEqual(again.json(), { accepted: 0, duplicate: true });
    const final = await platform.app.inject(
      uploadRequest(batch('edge-01', 'scan-a', 1, [], true), agent),
    );
    assert.deepEqual(final.json(), { accepted: 0, duplicate: false });

    const list = await adminGet('/api/cmdb/ci?page=1&limit=10');
    assert.equal(list.statusCode, 200);
    const cis = list.json();
    assert.deepEqual(cis.pagination, { page: 1, limit: 10, total: 1 });
    assert.equal(cis.data[0].name, 'lab-ssh');
    const one = await adminGet(`/api/cmdb/ci/${cis.data[0].id}`);
    assert.equal(one.json().relationships.length, 1);
    assert.equal((await adminGet('/api/cmdb/ci/nope')).statusCode, 404);
    const rels = await adminGet('/api/cmdb/relationships');
    assert.equal(rels.json().data[0].type, 'depends_on');
    const scans = (await adminGet('/api/discovery/scans')).json();
    assert.equal(scans.data[0].state, 'completed');
    assert.deepEqual(scans.data[0].protocols, { ssh: { success: 1 } });
  });

  test('upload refuses a key that does not match the body, and a body of another agent', async () => {
    const body = batch('edge-01', 'scan-b', 0, [hostRecord()]);
    const req = uploadRequest(body, agent);
    const r = await platform.app.inject({
      ...req,
      headers: { ...req.headers, 'idempotency-key': 'edge-01:scan-b:1' },
    });
    assert.equal(r.statusCode, 400);
    assert.match(r.json().error.message, /does not match/);
    const other = batch('edge-02', 'scan-b', 0, []);
    const r2 = await platform.app.inject({
      ...uploadRequest(other, agent),
      headers: {
        ...uploadRequest(other, agent).headers,
        'x-agent-id': 'edge-01',
        'idempotency-key': 'edge-02:scan-b:0',
      },
    });
    assert.equal(r2.statusCode, 400);
    assert.match(r2.json().error.message, /not the X-Agent-Id/);
  });

  test('plain (not gzip) JSON uploads are accepted too', async () => {
    const body = batch('edge-01', 'scan-plain', 0, []);
    const req = uploadRequest(body, agent);
    const { 'content-encoding': _, ...headers } = req.headers;
    const r = await platform.app.inject({ ...req, headers, payload: JSON.stringify(body) });
    assert.deepEqual(r.json(), { accepted: 0, duplicate: false });
  });

  test('lists answer CSV with format=csv', async () => {
    const r = await adminGet('/api/cmdb/ci?format=csv');
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^text\/csv/);
    const lines = r.body.trim().split('\r\n');
    assert.equal(
      lines[0],
      'id,type,name,hostname,fqdn,domain,serial,systemUuid,macs,addresses,sections,firstSeenAt,lastSeenAt',
    );
    assert.equal(lines.length, 2);
    for (const url of [
      '/api/discovery/scans?format=csv',
      '/api/cmdb/relationships?format=csv',
      '/api/discovery/agents?format=csv',
    ]) {
      const x = await adminGet(url);
      assert.equal(x.statusCode, 200, url);
      assert.match(x.body, /\r\n/);
    }
  });

  test('paging parameters are checked', async () => {
    for (const q of ['limit=0', 'limit=501', 'page=0', 'page=x', 'format=xml']) {
      const r = await adminGet(`/api/cmdb/ci?${q}`);
      assert.equal(r.statusCode, 400, q);
      assert.equal(r.json().error.code, 'bad_request');
    }
  });

  test('agents list shows status, and offline after three missed heartbeats', async () => {
    let agents = (await adminGet('/api/discovery/agents')).json();
    const edge = agents.data.find((a: { agentId: string }) => a.agentId === 'edge-01');
    assert.equal(edge.status, 'online');
    assert.equal(edge.scansCompleted, 1);
    clock = new Date(clock.getTime() + 3 * 15000 + 1);
    agents = (await adminGet('/api/discovery/agents')).json();
    assert.equal(
      agents.data.find((a: { agentId: string }) => a.agentId === 'edge-01').status,
      'offline',
    );
  });

  test('commands to an agent that is not connected are 503, to an unknown one 404', async () => {
    const post = (id: string, payload: unknown) =>
      platform.app.inject({
        method: 'POST',
        url: `/api/discovery/agents/${id}/commands`,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
    assert.equal((await post('edge-01', { type: 'metrics.get', payload: {} })).statusCode, 503);
    assert.equal((await post('ghost', { type: 'metrics.get' })).statusCode, 404);
    assert.equal((await post('edge-01', { type: 'rm -rf' })).statusCode, 400);
    assert.equal((await post('edge-01', { type: 'metrics.get', timeoutMs: 0 })).statusCode, 400);
  });

  test('unknown routes answer the protocol error shape', async () => {
    const r = await platform.app.inject({ method: 'GET', url: '/api/nothing' });
    assert.equal(r.statusCode, 404);
    assert.deepEqual(Object.keys(r.json().error).sort(), ['code', 'message']);
  });

  test('gzip bodies on operator routes are decoded too', async () => {
    const r = await platform.app.inject({
      method: 'POST',
      url: '/api/discovery/agents/edge-01/commands',
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      payload: gzipSync(JSON.stringify({ type: 'metrics.get' })),
    });
    assert.equal(r.statusCode, 503);
  });
});
