// Closing the platform while an agent is connected: close() must not wait for the agent to leave.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { testPlatform } from '../testing/platform.js';

test(
  'app.close() ends connected agents instead of waiting for them',
  { timeout: 30_000 },
  async () => {
    const platform = await testPlatform({ heartbeatIntervalMs: 5000 });
    await platform.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (platform.app.server.address() as AddressInfo).port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/discovery/agents/ws`, {
      headers: { authorization: `Bearer ${platform.agentToken}`, 'x-agent-id': 'edge-01' },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const closedByServer = new Promise<number>((resolve) =>
        ws.once('close', (code) => resolve(code)),
      );
      // With the hub closed in onClose this never settled while the socket was open (the test's
      // timeout then fails it rather than hanging the suite).
      await platform.close();
      assert.ok((await closedByServer) > 0);
    } finally {
      ws.terminate();
    }
  },
);
