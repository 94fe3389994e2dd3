// /api/integration: the platform link of this data directory, as `integration add|test|show|
// remove` manage it (IntegrationStore). The token is write-only: answers say `secretsSet`.
import { ScannerError } from '../../../errors.js';
import {
  buildSettings,
  checkToken,
  IntegrationStore,
  type IntegrationSettings,
} from '../../../platform/integration.js';
import { clientFor } from '../../../platform/link.js';
import type { GuiContext, Route } from '../context.js';
import { badRequest, fieldNamedIn, notFound, onlyFields, optionalString } from '../http.js';

const TEST_TIMEOUT_MS = 15_000;
const FIELDS = ['name', 'apiUrl', 'agentId', 'token', 'wsUrl'] as const;
/** The CLI flags the shared validation names, as the body's fields. */
const FLAG_FIELDS: Record<string, string> = {
  '--name': 'name',
  '--api-url': 'apiUrl',
  '--agent-id': 'agentId',
  '--ws-url': 'wsUrl',
  token: 'token',
};

/** What the page sees of an integration: its settings, never the token. */
export function integrationView(s: IntegrationSettings) {
  return {
    name: s.name,
    apiUrl: s.apiUrl,
    agentId: s.agentId,
    /** null when derived from the API URL. */
    wsUrl: s.wsUrlExplicit ? s.wsUrl : null,
    effectiveWsUrl: s.wsUrl,
    tlsVerify: s.tlsVerify,
    caFile: s.caFile,
    updatedAt: s.updatedAt,
    secretsSet: ['token'],
  };
}

const store = (ctx: GuiContext) => new IntegrationStore(ctx.dir);

function required(body: Record<string, unknown>, key: string): string {
  const v = optionalString(body, key);
  if (v === undefined || v.trim() === '') throw badRequest(`${key} is required`, key);
  return v.trim();
}

export const integrationRoutes: Route[] = [
  {
    method: 'GET',
    path: '/integration',
    async handle(ctx) {
      const settings = await store(ctx).settings();
      return { status: 200, body: { integration: settings ? integrationView(settings) : null } };
    },
  },
  {
    method: 'PUT',
    path: '/integration',
    fieldOf: (message) => FLAG_FIELDS[fieldNamedIn(message, Object.keys(FLAG_FIELDS)) ?? ''],
    async handle(ctx, r) {
      const body = await r.body();
      onlyFields(body, FIELDS);
      const given = optionalString(body, 'token');
      if (given) ctx.secrets.add(given.trim());
      const wsUrl = optionalString(body, 'wsUrl')?.trim();
      const input = {
        name: required(body, 'name'),
        apiUrl: required(body, 'apiUrl'),
        agentId: required(body, 'agentId'),
        ...(wsUrl ? { wsUrl } : {}),
      };
      // Everything but the token first, as `integration add` does.
      buildSettings(input, { createdAt: '', updatedAt: '' });
      const s = store(ctx);
      let apiToken: string;
      let kept: Pick<IntegrationSettings, 'caFile' | 'tlsVerify'> | null = null;
      if (given !== undefined && given.trim() !== '') {
        try {
          apiToken = checkToken(given);
        } catch (err) {
          throw badRequest((err as Error).message, 'token');
        }
      } else {
        const current = await s.load();
        if (!current) throw badRequest('the API token is required (none is stored yet)', 'token');
        ctx.secrets.add(current.apiToken);
        apiToken = current.apiToken;
        kept = current;
      }
      const previous = kept ?? (await s.settings().catch(() => null));
      const { settings, replaced } = await s.save({
        ...input,
        apiToken,
        ...(previous?.caFile ? { caFile: previous.caFile } : {}),
        ...(previous ? { tlsVerify: previous.tlsVerify } : {}),
      });
      ctx.logs
        .logger('integrations', { command: 'gui' })
        .info(replaced ? 'integration replaced' : 'integration added', {
          ...settings,
          tokenChanged: given !== undefined && given.trim() !== '',
        });
      return { status: 200, body: { integration: integrationView(settings) } };
    },
  },
  {
    method: 'POST',
    path: '/integration/test',
    async handle(ctx) {
      const integration = await store(ctx).load();
      if (!integration) {
        throw badRequest('no integration is configured: save one first');
      }
      ctx.secrets.add(integration.apiToken);
      const log = ctx.logs.logger('integrations', { command: 'gui' });
      const started = Date.now();
      const client = await clientFor(integration, ctx.env, log, TEST_TIMEOUT_MS);
      try {
        const me = await client.me(
          AbortSignal.any([ctx.signal, AbortSignal.timeout(TEST_TIMEOUT_MS)]),
        );
        const latencyMs = Date.now() - started;
        log.info('test connection succeeded', { apiUrl: integration.apiUrl, status: me.status });
        return { status: 200, body: { ok: true, latencyMs, agent: me } };
      } catch (err) {
        const code = err instanceof ScannerError ? err.code : 'ERR_PLATFORM_UNAVAILABLE';
        const message = ctx.secrets.scrub((err as Error).message);
        log.error('test connection failed', { apiUrl: integration.apiUrl, error: message });
        return { status: 200, body: { ok: false, error: { code, message } } };
      } finally {
        client.close();
      }
    },
  },
  {
    method: 'DELETE',
    path: '/integration',
    async handle(ctx) {
      const s = store(ctx);
      const settings = await s.settings().catch(() => null);
      if (!(await s.remove())) throw notFound('no integration is configured');
      ctx.logs
        .logger('integrations', { command: 'gui' })
        .info('integration removed', settings ? { ...settings } : {});
      return { status: 204 };
    },
  },
];
