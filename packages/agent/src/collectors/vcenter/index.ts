// The vCenter/ESXi collector: one ContainerView, one paged retrieve per kind of object, mapped to CIs.
import { ScannerError } from '../../errors.js';
import { abortError } from '../../transports/safe-errors.js';
import {
  createContainerView,
  destroyView,
  retrieveFromView,
} from '../../transports/vsphere/property-collector.js';
import type { MoRef } from '../../transports/vsphere/soap.js';
import type { VimClient } from '../../transports/vsphere/vim-client.js';
import { buildVcenterInventory, type RetrieveOutcome, type VcenterInventory } from './inventory.js';
import { VCENTER_RETRIEVES, VCENTER_SPECS, VIEW_TYPES, type VcenterRetrieve } from './specs.js';

export {
  buildVcenterInventory,
  CI_TYPE_OF,
  vmwareSerial,
  type RetrieveOutcome,
  type VcenterEndpoint,
  type VcenterInventory,
  type VcenterInventoryInput,
  type VcenterKind,
  type VcenterObject,
  type VsphereSection,
} from './inventory.js';
export { VCENTER_RETRIEVES, VCENTER_SPECS, VIEW_TYPES, type VcenterRetrieve } from './specs.js';

/**
 * Objects per page asked of the server. A simulated VM with its device list is ~10 kB of XML, so
 * 250 VMs stay near 2.5 MB, well under the client's default 8 MiB answer limit (a page that is
 * still too large is asked again at half the size).
 */
export const DEFAULT_PAGE_SIZE = 250;

export interface CollectVcenterOptions {
  /** Scan cancel: rethrown as ERR_ABORTED. */
  signal: AbortSignal;
  /** Budget for the whole inventory; when it runs out, what was read is kept and `error` is ERR_TIMEOUT. */
  timeoutMs?: number;
  /** maxObjects per RetrievePropertiesEx page (default DEFAULT_PAGE_SIZE). */
  pageSize?: number;
  now?: () => number;
}

export interface VcenterCollection extends VcenterInventory {
  /**
   * Null when every retrieve succeeded. Otherwise the first failure's code (ERR_AUTH_FAILED for a
   * session that could not be restored, ERR_ACCESS_DENIED for NoPermission, ERR_TIMEOUT for the
   * budget, ERR_PROTOCOL…) and a message naming each failed retrieve; objects of the other
   * retrieves are kept.
   */
  error: { code: string; message: string } | null;
  /** Per retrieve: objects, pages and error. */
  retrieves: Record<
    VcenterRetrieve,
    { objects: number; pages: number; error: { code: string; message: string } | null }
  >;
  stats: {
    /** SOAP requests this collection sent (CreateContainerView, retrieves, pages, DestroyView, re-login). */
    roundTrips: number;
    /** RetrievePropertiesEx calls: one per kind, whatever the number of objects. */
    retrieveCalls: number;
    /** ContinueRetrievePropertiesEx calls: one per page after the first. */
    continueCalls: number;
    callsByMethod: Record<string, number>;
    reLogins: number;
    objects: Record<string, number>;
    durationMs: number;
  };
}

function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof ScannerError) return { code: err.code, message: err.message };
  return { code: 'ERR_PROTOCOL', message: err instanceof Error ? err.message : String(err) };
}

function diff(
  after: Record<string, number>,
  before: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

/**
 * Reads a vCenter's (or a standalone ESXi host's) inventory through a logged-in VimClient: one
 * ContainerView over the root folder, one paged RetrievePropertiesEx per kind (VCENTER_RETRIEVES),
 * DestroyView. When the server forgets the session (NotAuthenticated) the client logs in again
 * once and the kind is retrieved again in a new view. A failed kind does not stop the others,
 * except an authentication failure, which ends the collection. Never throws for a server's
 * failure; rethrows only when `signal` aborts.
 *
 * @example
 * await client.login(user, password, { signal });
 * const inv = await collectVcenterInventory(client, { signal, timeoutMs: 300_000 });
 * inv.objects.filter((o) => o.type === 'virtual_machine').length; inv.stats.roundTrips // → 10
 */
export async function collectVcenterInventory(
  client: VimClient,
  opts: CollectVcenterOptions,
): Promise<VcenterCollection> {
  const now = opts.now ?? Date.now;
  const started = now();
  const budget =
    opts.timeoutMs === undefined
      ? opts.signal
      : AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]);
  const spent = `vcenter collection budget of ${opts.timeoutMs ?? 0}ms spent`;
  const trips0 = client.roundTrips;
  const calls0 = client.callsByMethod();
  const reLogins0 = client.reLogins;
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const outcomes: Partial<Record<VcenterRetrieve, RetrieveOutcome>> = {};
  const retrieves = Object.fromEntries(
    VCENTER_RETRIEVES.map((r) => [r, { objects: 0, pages: 0, error: null }]),
  ) as VcenterCollection['retrieves'];
  const failures: { kind: string; error: { code: string; message: string } }[] = [];
  const rethrowAbort = (): void => {
    if (opts.signal.aborted) throw abortError(opts.signal, 'vcenter collection');
  };

  rethrowAbort();
  let view: { ref: MoRef; generation: number } | null = null;
  let about = null as Awaited<ReturnType<VimClient['retrieveServiceContent']>>['about'] | null;
  try {
    const sc = await client.retrieveServiceContent({ signal: budget });
    about = sc.about;
    const viewManager = sc.viewManager;
    if (!viewManager) {
      throw new ScannerError(
        'ERR_NOT_SUPPORTED',
        'vsphere endpoint has no ViewManager (API before 2.5)',
      );
    }
    const call = { signal: budget };
    const ensureView = async (): Promise<MoRef> => {
      if (view && view.generation === client.sessionGeneration) return view.ref;
      const ref = await createContainerView(client, viewManager, sc.rootFolder, VIEW_TYPES, call);
      view = { ref, generation: client.sessionGeneration };
      return ref;
    };
    for (const kind of VCENTER_RETRIEVES) {
      rethrowAbort();
      if (budget.aborted) {
        retrieves[kind].error = { code: 'ERR_TIMEOUT', message: spent };
        failures.push({ kind, error: retrieves[kind].error });
        continue;
      }
      const once = async () =>
        retrieveFromView(client, sc.propertyCollector, await ensureView(), VCENTER_SPECS[kind], {
          signal: budget,
          maxObjects: pageSize,
        });
      try {
        // One re-login per collection: a second NotAuthenticated is the answer.
        const r =
          client.reLogins === reLogins0 ? await client.withSession(once, call) : await once();
        outcomes[kind] = { objects: r.objects, error: null };
        retrieves[kind].objects = r.objects.length;
        retrieves[kind].pages = r.pages;
      } catch (err) {
        rethrowAbort();
        const error = budget.aborted ? { code: 'ERR_TIMEOUT', message: spent } : errorOf(err);
        retrieves[kind].error = error;
        outcomes[kind] = { objects: [], error };
        failures.push({ kind, error });
        // Without a session nothing else can be read; a timeout marks the rest in the loop.
        if (error.code === 'ERR_AUTH_FAILED') break;
      }
    }
  } catch (err) {
    rethrowAbort();
    failures.push({
      kind: 'service',
      error: budget.aborted ? { code: 'ERR_TIMEOUT', message: spent } : errorOf(err),
    });
  } finally {
    const v = view as { ref: MoRef; generation: number } | null;
    if (v && v.generation === client.sessionGeneration && !opts.signal.aborted) {
      // Best effort, outside the spent budget: the view would live until the session ends.
      await destroyView(client, v.ref, {
        signal: AbortSignal.any([opts.signal, AbortSignal.timeout(5000)]),
      }).catch(() => undefined);
    }
  }

  const inventory = buildVcenterInventory({
    about: about ?? {
      name: '',
      fullName: '',
      version: '',
      build: '',
      apiType: '',
      apiVersion: '',
    },
    retrieves: outcomes,
  });
  if (failures.length > 0) {
    // The retrieves that failed leave their kinds' facts unknown on the endpoint record.
    const state = (code: string) =>
      code === 'ERR_TIMEOUT'
        ? 'timeout'
        : code === 'ERR_AUTH_FAILED' || code === 'ERR_ACCESS_DENIED'
          ? 'denied'
          : 'partial';
    inventory.vcenter.sections['inventory'] = state(
      (failures[0] as (typeof failures)[number]).error.code,
    );
  } else {
    inventory.vcenter.sections['inventory'] = 'complete';
  }
  const first = failures[0];
  const error = first
    ? {
        code: first.error.code,
        message: failures.map((f) => `${f.kind}: ${f.error.message}`).join('; '),
      }
    : null;
  const calls = diff(client.callsByMethod(), calls0);
  return {
    ...inventory,
    error,
    retrieves,
    stats: {
      roundTrips: client.roundTrips - trips0,
      retrieveCalls: calls['RetrievePropertiesEx'] ?? 0,
      continueCalls: calls['ContinueRetrievePropertiesEx'] ?? 0,
      callsByMethod: calls,
      reLogins: client.reLogins - reLogins0,
      objects: inventory.counts,
      durationMs: now() - started,
    },
  };
}
