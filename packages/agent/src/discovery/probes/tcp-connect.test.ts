// Tests of the single TCP connect probe on loopback.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { it } from 'node:test';
import { hasCode } from '../../errors.js';
import { probeTcpPort } from './tcp-connect.js';

it('probeTcpPort reports a listening port open and a closed one closed', async () => {
  const server = createServer((c) => c.destroy()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const ctx = { signal: new AbortController().signal, timeoutMs: 2000 };
  try {
    const open = await probeTcpPort('127.0.0.1', port, ctx);
    assert.equal(open.state, 'open');
    assert.equal(typeof open.rttMs, 'number');
    // Bound to 127.0.0.1 only: 127.0.0.2 refuses.
    assert.equal((await probeTcpPort('127.0.0.2', port, ctx)).state, 'closed');
  } finally {
    server.close();
  }
});

it('probeTcpPort throws ERR_ABORTED when aborted', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    () => probeTcpPort('127.0.0.1', 9, { signal: ac.signal, timeoutMs: 1000 }),
    (e) => hasCode(e, 'ERR_ABORTED'),
  );
});
