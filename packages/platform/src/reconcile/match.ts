// Which CI a host record is: the pure decision, given the candidates found through its keys.
import {
  swapUuidByteOrder,
  unidKey,
  type IdentifierKey,
  type RecordIdentifiers,
} from './identity.js';

/** A CI that shares at least one key with the record, with every key it is indexed under. */
export interface CandidateCi {
  id: string;
  firstSeenAt: string;
  keys: IdentifierKey[];
}

export type MatchRule = 'uuid' | 'serial' | 'mac' | 'name' | 'address';

export interface Match {
  ciId: string;
  rule: MatchRule;
}

const valuesOf = (c: CandidateCi, kind: IdentifierKey['kind']): Set<string> =>
  new Set(c.keys.filter((k) => k.kind === kind).map((k) => k.value));

function sameUuid(a: string, held: Set<string>): boolean {
  return held.has(a) || held.has(swapUuidByteOrder(a));
}

/**
 * True when a stronger identifier that both sides have disagrees: two different system UUIDs, or
 * two different (non-junk) serials. Such a candidate is another machine whatever else it shares
 * (a cloned VM keeps its MAC and name but gets a new UUID).
 */
export function conflicts(ids: RecordIdentifiers, c: CandidateCi): boolean {
  const uuids = valuesOf(c, 'uuid');
  if (ids.uuid !== null && uuids.size > 0 && !sameUuid(ids.uuid, uuids)) return true;
  const serials = valuesOf(c, 'serial');
  return ids.serial !== null && serials.size > 0 && !serials.has(ids.serial);
}

const STRONG = new Set<IdentifierKey['kind']>(['uuid', 'serial', 'mac', 'name']);

const byAge = (a: CandidateCi, b: CandidateCi): number =>
  a.firstSeenAt < b.firstSeenAt ? -1 : a.firstSeenAt > b.firstSeenAt ? 1 : a.id < b.id ? -1 : 1;

/**
 * Picks the CI for a record, strongest evidence first:
 * 1. system UUID (either byte order);
 * 2. serial (junk serials never get here), unless the UUIDs disagree;
 * 3. MAC overlap (burnt-in MACs, and the locally administered MAC ARP saw for the address), the
 *    most shared MACs winning, unless UUID or serial disagree;
 * 4. FQDN (hostname + domain), unless UUID or serial disagree;
 * 5. the CI the same agent found at the same address, when that CI has no identifier of its
 *    own (it was only ever seen without credentials or ARP): a host first seen without
 *    credentials and then with them stays one CI, and an anonymous record never lands on an
 *    identified CI that merely had its address before (DHCP reuses addresses).
 * Ties go to the oldest CI, so a rescan is stable. Null means a new CI.
 * @example chooseMatch(ids, [{ id: 'c1', firstSeenAt: '…', keys: [{ kind: 'serial', value: 'ABC123' }] }]) // → { ciId: 'c1', rule: 'serial' }
 */
export function chooseMatch(
  ids: RecordIdentifiers,
  candidates: readonly CandidateCi[],
  agentId: string,
): Match | null {
  const sorted = [...candidates].sort(byAge);
  if (ids.uuid !== null) {
    const uuid = ids.uuid;
    const hit = sorted.find((c) => sameUuid(uuid, valuesOf(c, 'uuid')));
    if (hit) return { ciId: hit.id, rule: 'uuid' };
  }
  const usable = sorted.filter((c) => !conflicts(ids, c));
  if (ids.serial !== null) {
    const serial = ids.serial;
    const hit = usable.find((c) => valuesOf(c, 'serial').has(serial));
    if (hit) return { ciId: hit.id, rule: 'serial' };
  }
  if (ids.macs.length > 0) {
    let best: CandidateCi | null = null;
    let bestOverlap = 0;
    for (const c of usable) {
      const held = valuesOf(c, 'mac');
      const overlap = ids.macs.filter((m) => held.has(m)).length;
      if (overlap > bestOverlap) {
        best = c;
        bestOverlap = overlap;
      }
    }
    if (best) return { ciId: best.id, rule: 'mac' };
  }
  if (ids.name !== null) {
    const name = ids.name;
    const hit = usable.find((c) => valuesOf(c, 'name').has(name));
    if (hit) return { ciId: hit.id, rule: 'name' };
  }
  const unid = unidKey(agentId, ids.address);
  const hit = usable.find(
    (c) => valuesOf(c, 'unid').has(unid) && !c.keys.some((k) => STRONG.has(k.kind)),
  );
  return hit ? { ciId: hit.id, rule: 'address' } : null;
}
