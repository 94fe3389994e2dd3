// What every route handler gets: the data directory and its config, logs, store, the event hub
// and the scan runner of this `gui` process. Built once by gui-server.ts.
import type { IncomingMessage } from 'node:http';
import type { Config } from '../../config/config.js';
import type { DataDir } from '../../config/data-dir.js';
import type { Logger, LogFiles } from '../../log/logger.js';
import type { SecretSet } from '../../log/redact.js';
import type { ServiceHost } from '../../service/manager.js';
import type { Store } from '../../store/index.js';
import type { EventHub } from './events.js';
import type { GuiScanRunner } from './scan-runner.js';

export interface GuiContext {
  dir: DataDir;
  /** --data-dir or NOPESIGHT_DATA_DIR as given (the service uses it too); undefined = defaults. */
  dataDirChoice: string | undefined;
  env: NodeJS.ProcessEnv;
  config: Config;
  logs: LogFiles;
  /** app.log, component gui: one audit line per change made through the GUI. */
  log: Logger;
  /** Every secret the GUI was given or unlocked: scrubbed from answers, events and logs. */
  secrets: SecretSet;
  store: Store;
  hub: EventHub;
  scans: GuiScanRunner;
  serviceHost(): ServiceHost;
  version: string;
  /** The CSRF value non-GET requests carry (GET /api/session hands it to the page). */
  csrf: string;
  /** Aborted when the server stops. */
  signal: AbortSignal;
  /** Tells the watchers that schedules changed (an edit made here), so they publish at once. */
  schedulesChanged(): void;
}

/** What a handler returns; `body` undefined sends an empty answer (204). */
export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface RouteRequest {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body (read once, capped); `{}` when empty. */
  body(): Promise<Record<string, unknown>>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Under /api, with `:name` segments: `/credentials/:name/test`. */
  path: string;
  handle(ctx: GuiContext, r: RouteRequest): Promise<RouteResult>;
  /** The field a 400's message names (to fill `error.field`), when it names one. */
  fieldOf?(message: string): string | undefined;
}

/** Finds the route for `method` and `pathname` (below /api); 405 is told apart from 404. */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | 'method' | null {
  const parts = pathname.split('/').filter((p) => p !== '');
  let pathMatched = false;
  for (const route of routes) {
    const pattern = route.path.split('/').filter((p) => p !== '');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i]!;
      if (p.startsWith(':')) {
        try {
          params[p.slice(1)] = decodeURIComponent(parts[i]!);
        } catch {
          ok = false;
        }
      } else ok = p === parts[i];
    }
    if (!ok) continue;
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  return pathMatched ? 'method' : null;
}
