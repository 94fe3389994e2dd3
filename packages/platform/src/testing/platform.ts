// An app on a fresh SQLite store with an agent token (edge-01) and an admin token, for tests.
import { buildApp, type AppOptions, type Platform } from '../api/app.js';
import type { PlatformStore } from '../store/platform-store.js';
import { createToken } from '../tokens.js';
import { sqliteKind } from './stores.js';

export interface TestPlatform extends Platform {
  store: PlatformStore;
  agentToken: string;
  adminToken: string;
  close(): Promise<void>;
}

export async function testPlatform(opts: Omit<AppOptions, 'store'> = {}): Promise<TestPlatform> {
  const kind = sqliteKind();
  const store = await kind.open();
  const agentToken = (await createToken(store, { name: 'edge', agentId: 'edge-01' })).token;
  const adminToken = (await createToken(store, { name: 'ops', role: 'admin' })).token;
  const platform = await buildApp({ store, ...opts });
  return {
    ...platform,
    store,
    agentToken,
    adminToken,
    async close() {
      await platform.app.close();
      await kind.cleanup();
    },
  };
}
