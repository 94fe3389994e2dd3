// The subtree walk behind SnmpSession.walk(): GETBULK/GETNEXT paging, end-of-subtree detection,
// protection against agents whose OIDs do not increase, and the varbind and byte caps.
import { ScannerError } from '../../errors.js';
import { abortError } from '../safe-errors.js';

export interface SnmpVarbind {
  oid: string;
  /** net-snmp's type name: `OctetString`, `Integer`, `OID`, `TimeTicks`, `NoSuchObject`… */
  type: string;
  /** OctetString/Opaque as Buffer, Counter64 as bigint, OID and IpAddress as string, null for exceptions. */
  value: Buffer | string | number | bigint | boolean | null;
}

/** What `SnmpSession.walk()` returns when it read something (or nothing, but without a fault). */
export interface SnmpWalkResult {
  /** In OID order, each strictly after the one before and inside the walked subtree. */
  varbinds: SnmpVarbind[];
  /**
   * True when the walk stopped before the end of the subtree: a cap was reached (the walk's
   * `maxVarbinds`, or the session's varbind or byte budget) or `error` is set.
   */
  truncated: boolean;
  /**
   * Why the walk stopped early after reading some data: ERR_TIMEOUT (an answer stopped coming,
   * or the caller's deadline), ERR_PROTOCOL (OIDs not increasing, an empty or oversized answer),
   * ERR_ABORTED… null when the walk ended normally or at a cap.
   */
  error: ScannerError | null;
}

/** One page of a walk as the session fetched it. */
export type WalkPage =
  | { kind: 'varbinds'; varbinds: SnmpVarbind[] }
  /** The agent answered tooBig: ask for fewer repetitions. */
  | { kind: 'tooBig' }
  /** SNMPv1 noSuchName to a GETNEXT: nothing after the OID. */
  | { kind: 'endOfMib' };

/** Varbinds and bytes a session may still keep; walks on one session draw from the same budget. */
export interface WalkBudget {
  varbinds: number;
  bytes: number;
}

export interface WalkParams {
  root: string;
  signal: AbortSignal;
  /** At most this many varbinds for this walk. */
  maxVarbinds: number;
  /** Repetitions asked per GETBULK at first; halved on tooBig. 1 for GETNEXT. */
  maxRepetitions: number;
  budget: WalkBudget;
  /** Fetches the varbinds after `oid`; rejects with a ScannerError. */
  fetch: (oid: string, maxRepetitions: number, signal: AbortSignal) => Promise<WalkPage>;
}

const OID_RE = /^\d+(\.\d+)+$/;

/** Whether `oid` is a dotted numeric OID with at least two arcs. */
export function isOid(oid: string): boolean {
  return OID_RE.test(oid);
}

/** Orders OIDs arc by arc, numerically (1.3.6.1.2 < 1.3.6.1.10 < 1.3.6.1.10.1). */
export function compareOids(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

/** Whether `oid` is strictly inside the subtree rooted at `root`. */
export function oidIsUnder(root: string, oid: string): boolean {
  return oid.length > root.length && oid.startsWith(root) && oid[root.length] === '.';
}

/** Memory a kept varbind costs, roughly: its OID text and its value's bytes. */
export function varbindBytes(vb: SnmpVarbind): number {
  const v = vb.value;
  const valueBytes = Buffer.isBuffer(v) ? v.length : typeof v === 'string' ? v.length : 8;
  return vb.oid.length + valueBytes + 32;
}

const END_TYPES = new Set(['EndOfMibView']);

/**
 * Walks the subtree under `root`. Every turn of the loop either keeps at least one varbind,
 * halves the repetitions (at most log2 times in a row), or ends the walk, and the kept varbinds
 * are capped, so no agent can keep it going forever. A walk that fails before keeping anything
 * rejects with the error; after that it resolves with what it kept and the error.
 */
export async function walkSubtree(p: WalkParams): Promise<SnmpWalkResult> {
  const { root, signal, budget } = p;
  const varbinds: SnmpVarbind[] = [];
  let cursor = root;
  let repetitions = Math.max(1, Math.floor(p.maxRepetitions));
  let error: ScannerError | null = null;
  let capped = false;

  const fail = (message: string): ScannerError =>
    new ScannerError('ERR_PROTOCOL', `snmp walk of ${root}: ${message}`);

  walk: for (;;) {
    if (signal.aborted) {
      error = abortError(signal, `snmp walk of ${root}`);
      break;
    }
    const room = Math.min(p.maxVarbinds - varbinds.length, budget.varbinds);
    if (room <= 0 || budget.bytes <= 0) {
      capped = true;
      break;
    }
    let page: WalkPage;
    try {
      page = await p.fetch(cursor, Math.min(repetitions, room), signal);
    } catch (err) {
      error = err instanceof ScannerError ? err : fail(`request failed: ${(err as Error).message}`);
      break;
    }
    if (page.kind === 'endOfMib') break;
    if (page.kind === 'tooBig') {
      if (repetitions === 1) {
        error = fail(`the agent answers tooBig even for one varbind after ${cursor}`);
        break;
      }
      repetitions = Math.max(1, Math.floor(repetitions / 2));
      continue;
    }
    if (page.varbinds.length === 0) {
      error = fail(`empty answer after ${cursor}`);
      break;
    }
    for (const vb of page.varbinds) {
      if (END_TYPES.has(vb.type) || !oidIsUnder(root, vb.oid)) break walk;
      if (compareOids(vb.oid, cursor) <= 0) {
        error = fail(
          `the agent returned ${vb.oid} after ${cursor} (OIDs not increasing); stopped with ${varbinds.length} varbinds`,
        );
        break walk;
      }
      const bytes = varbindBytes(vb);
      if (varbinds.length >= p.maxVarbinds || budget.varbinds <= 0 || bytes > budget.bytes) {
        capped = true;
        break walk;
      }
      budget.varbinds -= 1;
      budget.bytes -= bytes;
      varbinds.push(vb);
      cursor = vb.oid;
    }
  }
  if (error && varbinds.length === 0) throw error;
  return { varbinds, truncated: capped || error !== null, error };
}
