// The seam for a web UI (Discovery → Agents, CIs, relationships, scan logs). A UI registers as
// a fastify plugin under WEB_UI_PREFIX and may read through the same store and hub as the API;
// `buildApp({ webUi })` mounts it and redirects `/` to it. The built-in one is ./ui.ts.
import type { FastifyInstance } from 'fastify';
import type { PlatformStore } from '../store/platform-store.js';
import type { AgentHub } from '../ws/hub.js';

export const WEB_UI_PREFIX = '/ui';

export interface WebUiDeps {
  store: PlatformStore;
  hub: AgentHub;
}

/** A web UI: registered inside its own encapsulated fastify context at WEB_UI_PREFIX. */
export type WebUiPlugin = (app: FastifyInstance, deps: WebUiDeps) => Promise<void>;
