// How a host record updates a CI: which facts replace, which merge, which are kept. Pure.
import type { CiRecord, CiType, HostRecord, SectionState } from '@nopesight/model';
import { isJunkSerial, normalizeMac, normalizeUuid } from './identity.js';

/** One inventory section as held for a CI. */
export interface SectionEntry {
  /** What the last run that reported this section said about it. */
  state: SectionState;
  /** The data as of `observedAt`; null when no run ever returned any. */
  data: unknown;
  /** When the run that produced `data` observed the host (its discovery time). */
  observedAt: string | null;
  /** When a run last reported the section, whatever its state. */
  checkedAt: string;
}

/** A CI's identity: the host record's identity block, merged over time. */
export type CiIdentity = CiRecord['identity'];

/** Where a CI's facts came from: the last scan of each agent that saw it. */
export interface CiSource {
  agentId: string;
  scanId: string;
  address: string;
  at: string;
  protocols: { protocol: string; status: string }[];
}

/** A CI as reconciliation reads and writes it (the store keeps each field as a column). */
export interface CiState {
  type: CiType;
  typeReason: string;
  name: string;
  identity: CiIdentity;
  sections: Record<string, SectionEntry>;
  /** Addresses the CI was found at, the most recent first. */
  addresses: string[];
  sources: CiSource[];
  /** The discovery facts (open ports, fingerprints) of the latest observation. */
  discovery: unknown;
  firstSeenAt: string;
  lastSeenAt: string;
}

/** Keys of `ci` that are not inventory sections. */
const NOT_SECTIONS = new Set(['type', 'typeReason', 'identity']);

const MAX_ADDRESSES = 32;
const MAX_SOURCES = 20;
const MAX_MACS = 256;
/** Cap on an array grown by partial merges, so repeated partial runs cannot grow it forever. */
export const MAX_MERGED_ARRAY = 10_000;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Merges a partial section into what is held: objects key by key, arrays as a union (incoming
 * items first, then held items not among them, compared as JSON), scalars from the incoming
 * side unless it is null. A partial run therefore adds and updates but never removes.
 * @example mergePartial({ a: 1, b: [1] }, { b: [2], c: null }) // → { a: 1, b: [2, 1], c: null }
 */
export function mergePartial(held: unknown, incoming: unknown): unknown {
  if (incoming === undefined || incoming === null) return held ?? incoming ?? null;
  if (held === undefined || held === null) return incoming;
  if (Array.isArray(held) && Array.isArray(incoming)) {
    const seen = new Set<string>();
    const out: unknown[] = [];
    for (const item of [...incoming, ...held]) {
      const key = JSON.stringify(item);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
      if (out.length >= MAX_MERGED_ARRAY) break;
    }
    return out;
  }
  if (isPlainObject(held) && isPlainObject(incoming)) {
    const out: Record<string, unknown> = { ...held };
    for (const [k, v] of Object.entries(incoming)) out[k] = mergePartial(held[k], v);
    return out;
  }
  return incoming;
}

/**
 * One section's new entry. The precedence, and why:
 * - `complete` replaces the data: the run saw all of it, so what it lacks is gone;
 * - `partial` merges (see {@link mergePartial}): it saw some, and absence proves nothing;
 * - `denied`, `timeout`, `unsupported` keep the data held: the run learnt nothing about it.
 * A run older than the data held (a late batch of an earlier scan) only fills a gap.
 * `state` always records what the latest report said, so a UI can show "stale: denied".
 */
export function mergeSection(
  held: SectionEntry | undefined,
  state: SectionState,
  incoming: unknown,
  observedAt: string,
): SectionEntry {
  const heldData = held?.data ?? null;
  const older = held?.observedAt != null && observedAt < held.observedAt;
  const hasIncoming = incoming !== undefined && incoming !== null;
  if (older) {
    if (heldData === null && hasIncoming && (state === 'complete' || state === 'partial')) {
      return { state: held!.state, data: incoming, observedAt, checkedAt: held!.checkedAt };
    }
    return held!;
  }
  const checkedAt = observedAt;
  switch (state) {
    case 'complete':
      return hasIncoming
        ? { state, data: incoming, observedAt, checkedAt }
        : { state, data: heldData, observedAt: held?.observedAt ?? null, checkedAt };
    case 'partial':
      return hasIncoming
        ? { state, data: mergePartial(heldData, incoming), observedAt, checkedAt }
        : { state, data: heldData, observedAt: held?.observedAt ?? null, checkedAt };
    default:
      return { state, data: heldData, observedAt: held?.observedAt ?? null, checkedAt };
  }
}

/**
 * Identity after an observation. From the newer side (the record, unless it is older than what
 * is held): names, and serial and UUID when they are real (a junk serial or placeholder UUID
 * never replaces a real one); the other side fills gaps. MACs are a union (bounded).
 */
export function mergeIdentity(
  held: CiIdentity | null,
  incoming: CiIdentity,
  incomingIsNewer = true,
): CiIdentity {
  const text = (v: string | null | undefined): string | null =>
    typeof v === 'string' && v.trim() !== '' ? v : null;
  const serial = (v: string | null | undefined): string | null => (isJunkSerial(v) ? null : v!);
  const uuid = (v: string | null | undefined): string | null =>
    normalizeUuid(v) === null ? null : v!;
  const [first, second] = incomingIsNewer ? [incoming, held] : [held, incoming];
  const pick = (f: (v: string | null | undefined) => string | null, k: keyof CiIdentity) =>
    f(first?.[k] as string | null) ?? f(second?.[k] as string | null);
  const macs = new Set<string>();
  for (const m of [...incoming.macs, ...(held?.macs ?? [])]) {
    const n = normalizeMac(m);
    if (n !== null && macs.size < MAX_MACS) macs.add(n);
  }
  return {
    hostname: pick(text, 'hostname'),
    fqdn: pick(text, 'fqdn'),
    domain: pick(text, 'domain'),
    serial: pick(serial, 'serial'),
    systemUuid: pick(uuid, 'systemUuid'),
    macs: [...macs],
  };
}

/** The record's identity with the MACs it saw outside `identity` (ARP, NetBIOS) added. */
export function recordIdentity(record: HostRecord): CiIdentity {
  return {
    ...record.ci.identity,
    macs: [...record.ci.identity.macs, ...record.macs.map((m) => m.mac)],
  };
}

/** The record's observation time: when discovery finished with it, else `fallback`. */
export function observedAtOf(record: HostRecord, fallback: string): string {
  for (const t of [record.discovery.finishedAt, record.discovery.startedAt]) {
    if (typeof t === 'string' && !Number.isNaN(Date.parse(t))) return new Date(t).toISOString();
  }
  return fallback;
}

/** The record's inventory sections with their states (a section with data but no state is partial). */
export function recordSections(
  record: HostRecord,
): { name: string; state: SectionState; data: unknown }[] {
  const names = new Set<string>(Object.keys(record.sections));
  for (const k of Object.keys(record.ci)) if (!NOT_SECTIONS.has(k)) names.add(k);
  return [...names].sort().map((name) => ({
    name,
    state: record.sections[name] ?? 'partial',
    data: NOT_SECTIONS.has(name) ? undefined : record.ci[name],
  }));
}

/**
 * The CI after applying one host record: a new CI when `held` is null. `ctx.now` is the time of
 * ingest, used only when the record carries no usable observation time.
 */
export function applyRecord(
  held: CiState | null,
  record: HostRecord,
  ctx: { agentId: string; scanId: string; now: string },
): CiState {
  const observedAt = observedAtOf(record, ctx.now);
  const latest = held === null || observedAt >= held.lastSeenAt;
  const sections: Record<string, SectionEntry> = { ...(held?.sections ?? {}) };
  for (const s of recordSections(record)) {
    sections[s.name] = mergeSection(sections[s.name], s.state, s.data, observedAt);
  }
  const identity = mergeIdentity(held?.identity ?? null, recordIdentity(record), latest);
  const type: CiType =
    record.ci.type !== 'unknown' && (latest || held?.type === 'unknown')
      ? record.ci.type
      : (held?.type ?? record.ci.type);
  // typeReason may be absent from a record (validation allows it): never store undefined.
  const typeReason =
    type === record.ci.type ? (record.ci.typeReason ?? '') : (held?.typeReason ?? '');
  const address = record.address;
  const addresses = latest
    ? [address, ...(held?.addresses ?? []).filter((a) => a !== address)]
    : [...(held?.addresses ?? []), ...(held?.addresses.includes(address) ? [] : [address])];
  const source: CiSource = {
    agentId: ctx.agentId,
    scanId: ctx.scanId,
    address,
    at: observedAt,
    protocols: record.protocols.map((p) => ({ protocol: p.protocol, status: p.status })),
  };
  const sources = latest
    ? [source, ...(held?.sources ?? []).filter((s) => s.agentId !== ctx.agentId)]
    : (held?.sources ?? [source]);
  const hostname = identity.fqdn ?? identity.hostname ?? record.hostnames[0]?.name ?? null;
  return {
    type,
    typeReason,
    name: hostname ?? held?.name ?? address,
    identity,
    sections,
    addresses: addresses.slice(0, MAX_ADDRESSES),
    sources: sources.slice(0, MAX_SOURCES),
    discovery: latest ? record.discovery : (held?.discovery ?? record.discovery),
    firstSeenAt: held === null || observedAt < held.firstSeenAt ? observedAt : held.firstSeenAt,
    lastSeenAt: held === null || observedAt > held.lastSeenAt ? observedAt : held.lastSeenAt,
  };
}
