// The SNMP collector core: one GET of the system group, then bounded walks, mapped to the host record.
import type { SectionState } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import { abortError } from '../../transports/safe-errors.js';
import type { SnmpVarbind, SnmpWalkResult } from '../../transports/snmp/snmp-session.js';

export type { SnmpWalkResult };
import { EnterpriseNumbers, enterpriseNumber } from './enterprise-numbers.js';
import {
  buildSnmpInventory,
  SNMP_SECTIONS,
  WALK_ROOTS,
  type SnmpInventory,
  type SnmpSectionName,
  type WalkOutcome,
} from './inventory.js';
import { parseSystem, SYSTEM_OID, SYSTEM_SCALARS } from './parsers/system.js';
import { vendorFor } from './vendors/index.js';

export {
  buildSnmpInventory,
  neighborRelationships,
  SNMP_SECTIONS,
  SNMP_WALKS,
  WALK_ROOTS,
} from './inventory.js';
export type {
  SnmpCi,
  SnmpInventory,
  SnmpInventoryInput,
  SnmpSectionName,
  WalkOutcome,
} from './inventory.js';
export { classify, type Classification, type ClassifyInput } from './classify.js';
export {
  EnterpriseNumbers,
  enterpriseNumber,
  ENTERPRISE_NUMBERS_SOURCE,
} from './enterprise-numbers.js';
export {
  VENDORS,
  vendorFor,
  DEVICE_ROLES,
  type DeviceRole,
  type VendorModule,
} from './vendors/index.js';

/**
 * What the collector needs from a session: `SnmpSession` satisfies it; tests pass a replay of a
 * recording. Both calls may be running concurrently (up to the collector's `concurrency`); an
 * abort of `signal` rejects with ERR_ABORTED (or ERR_TIMEOUT for a deadline) and sends nothing more.
 */
export interface SnmpWalker {
  /** GETs `oids` in one PDU; exceptions (NoSuchObject…) come back as varbinds with a null value. */
  get(oids: string[], opts: { signal: AbortSignal }): Promise<SnmpVarbind[]>;
  /** Walks the subtree under `rootOid` (GETBULK for v2c/v3, GETNEXT for v1). */
  walk(
    rootOid: string,
    opts: { signal: AbortSignal; maxVarbinds?: number },
  ): Promise<SnmpWalkResult>;
}

export interface CollectSnmpOptions {
  /** Scan cancel: rethrown as ERR_ABORTED. */
  signal: AbortSignal;
  /** Budget for this host; when it runs out, the walks in flight stop and the rest are `timeout`. */
  timeoutMs?: number;
  /** Cap per walked subtree (default 20 000 varbinds: a switch's FDB or a host's software list). */
  maxVarbindsPerWalk?: number;
  /** Walks in flight at once (default 4; small agents drop bursts). */
  concurrency?: number;
  /** Shared registry of enterprise names (one per scan saves re-reading the table). */
  enterprises?: EnterpriseNumbers;
  now?: () => Date;
}

export interface SnmpCollection extends SnmpInventory {
  /**
   * Set when the agent gave no system group (ERR_TIMEOUT, ERR_AUTH_FAILED, ERR_ACCESS_DENIED,
   * ERR_PROTOCOL from the transport), or the budget ran out (ERR_TIMEOUT, the walks read before
   * kept). Null otherwise, including walks the agent did not support.
   */
  error: { code: string; message: string } | null;
  stats: {
    durationMs: number;
    walks: number;
    varbinds: number;
    truncatedWalks: string[];
    failedWalks: string[];
  };
}

export const DEFAULT_MAX_VARBINDS_PER_WALK = 20_000;
export const DEFAULT_CONCURRENCY = 4;

function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof ScannerError) return { code: err.code, message: err.message };
  return { code: 'ERR_PROTOCOL', message: err instanceof Error ? err.message : String(err) };
}

function stateFor(code: string): SectionState {
  if (code === 'ERR_TIMEOUT') return 'timeout';
  if (code === 'ERR_AUTH_FAILED' || code === 'ERR_ACCESS_DENIED') return 'denied';
  return 'unsupported';
}

/** Runs `tasks` with at most `limit` in flight; resolves when all have settled. */
async function pool(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++] as () => Promise<void>;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
}

/**
 * Collects a device's inventory over SNMP: one GET of the system group (a walk of it when the
 * GET fails), then the vendor module's GET and the walks of SNMP_WALKS, `concurrency` at a
 * time. Never throws for an agent's failure: sections say what is missing and `error` names
 * why. Rethrows only when `signal` aborts.
 *
 * @example
 * const inv = await collectSnmpInventory(session, { signal, timeoutMs: 60_000 });
 * inv.ci.system.deviceRole // → 'switch'; inv.relationships[0].evidence.source // → 'cdp'
 */
export async function collectSnmpInventory(
  walker: SnmpWalker,
  opts: CollectSnmpOptions,
): Promise<SnmpCollection> {
  const now = opts.now ?? ((): Date => new Date());
  const started = now().getTime();
  const budget =
    opts.timeoutMs === undefined
      ? opts.signal
      : AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]);
  const spent = `snmp collection budget of ${opts.timeoutMs ?? 0}ms spent`;
  const maxVarbinds = opts.maxVarbindsPerWalk ?? DEFAULT_MAX_VARBINDS_PER_WALK;
  const enterprises = opts.enterprises ?? new EnterpriseNumbers();
  const rethrowAbort = (err: unknown): void => {
    if (opts.signal.aborted) throw abortError(opts.signal, 'snmp collection');
    void err;
  };
  const stats = (walks: ReadonlyMap<string, WalkOutcome>): SnmpCollection['stats'] => ({
    durationMs: now().getTime() - started,
    walks: walks.size,
    varbinds: [...walks.values()].reduce((n, w) => n + w.varbinds.length, 0),
    truncatedWalks: [...walks].filter(([, w]) => w.truncated).map(([r]) => r),
    failedWalks: [...walks].filter(([, w]) => w.error !== null).map(([r]) => r),
  });

  // 1. The system group: one GET; a walk when the GET fails (v1 agents fail the whole PDU).
  let system: SnmpVarbind[] = [];
  let systemError: { code: string; message: string } | null = null;
  try {
    system = await walker.get(SYSTEM_SCALARS, { signal: budget });
  } catch (err) {
    rethrowAbort(err);
    systemError = budget.aborted ? { code: 'ERR_TIMEOUT', message: spent } : errorOf(err);
  }
  if (
    parseSystem(system).state === 'unsupported' &&
    !budget.aborted &&
    systemError?.code !== 'ERR_TIMEOUT'
  ) {
    try {
      const w = await walker.walk(SYSTEM_OID, { signal: budget, maxVarbinds: 1000 });
      if (w.varbinds.length > 0) {
        system = [...system, ...w.varbinds];
        systemError = null;
      } else if (w.error) systemError = errorOf(w.error);
    } catch (err) {
      rethrowAbort(err);
      systemError ??= errorOf(err);
    }
  }
  if (parseSystem(system).state === 'unsupported') {
    const error = systemError ?? {
      code: 'ERR_PROTOCOL',
      message: 'the agent answered no system group',
    };
    const empty = buildSnmpInventory({
      system: [],
      walks: new Map(),
      enterprises,
      notWalked: error.message,
    });
    const state = stateFor(error.code);
    const sections = Object.fromEntries(SNMP_SECTIONS.map((s) => [s, state])) as Record<
      SnmpSectionName,
      SectionState
    >;
    const notes = Object.fromEntries(
      SNMP_SECTIONS.map((s) => [s, [`snmp: ${error.code} ${error.message}`]]),
    );
    return { ...empty, sections, notes, error, stats: stats(new Map()) };
  }

  // 2. The vendor module's scalars and the walks, bounded in number and size.
  const vendor = vendorFor(enterpriseNumber(parseSystem(system).data.objectId));
  const walks = new Map<string, WalkOutcome>();
  let extra: SnmpVarbind[] = [];
  const tasks: (() => Promise<void>)[] = [];
  if (vendor && vendor.extraOids.length > 0) {
    tasks.push(async () => {
      try {
        const vbs = await walker.get([...vendor.extraOids], { signal: budget });
        extra = vbs.filter((v) => v.value !== null);
      } catch (err) {
        rethrowAbort(err);
      }
    });
  }
  for (const root of WALK_ROOTS) {
    tasks.push(async () => {
      if (budget.aborted) return;
      try {
        const r = await walker.walk(root, { signal: budget, maxVarbinds });
        walks.set(root, {
          varbinds: r.varbinds.slice(0, maxVarbinds),
          truncated: r.truncated,
          error: r.error ? errorOf(r.error) : null,
        });
      } catch (err) {
        rethrowAbort(err);
        walks.set(root, {
          varbinds: [],
          truncated: false,
          error: budget.aborted ? { code: 'ERR_TIMEOUT', message: spent } : errorOf(err),
        });
      }
    });
  }
  await pool(tasks, opts.concurrency ?? DEFAULT_CONCURRENCY);

  let inventory: SnmpInventory;
  try {
    inventory = buildSnmpInventory({ system, walks, extra, enterprises, notWalked: spent });
  } catch (err) {
    // The parsers never throw by contract; a bug in one must still not end the host's scan.
    const message = `inventory mapping failed: ${errorOf(err).message.slice(0, 200)}`;
    const empty = buildSnmpInventory({ system, walks: new Map(), enterprises, notWalked: message });
    return { ...empty, error: { code: 'ERR_PROTOCOL', message }, stats: stats(walks) };
  }
  const error = budget.aborted
    ? { code: 'ERR_TIMEOUT', message: `${spent}; ${walks.size} of ${WALK_ROOTS.length} walks read` }
    : null;
  return { ...inventory, error, stats: stats(walks) };
}
