// Relationship targets and de-duplication: how an edge the agent reported is keyed. Pure.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { RelationshipRecord } from '@nopesight/model';
import { normalizeMac, normalizeName } from './identity.js';

/** How a relationship's target is looked up among CIs (`ci_identifiers` kinds). */
export interface RelationshipTarget {
  kind: 'addr' | 'mac' | 'name';
  value: string;
}

/**
 * Classifies a target string: an IP address (`10.0.0.5`, `fe80::1`), a MAC (an FDB entry, an
 * LLDP chassis id), or a name (LLDP/CDP system name, vCenter object name).
 * @example relationshipTarget('02:00:C6:12:00:1E') // → { kind: 'mac', value: '02:00:c6:12:00:1e' }
 */
export function relationshipTarget(target: string): RelationshipTarget {
  const t = target.trim();
  if (isIP(t) !== 0) return { kind: 'addr', value: t.toLowerCase() };
  const mac = normalizeMac(t);
  if (mac !== null) return { kind: 'mac', value: mac };
  return { kind: 'name', value: normalizeName(t) ?? t.toLowerCase() };
}

/**
 * Evidence fields that change between scans without making a different edge (how many sockets,
 * which pid, when): left out of the key so a rescan updates the edge instead of adding one.
 */
const VOLATILE_EVIDENCE = new Set(['count', 'pid', 'seenAt', 'lastSeen', 'firstSeen', 'age']);

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([k]) => !VOLATILE_EVIDENCE.has(k))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The identity of an edge from one CI: type, normalised target and the stable part of its
 * evidence (source, direction, ports, process…), hashed. Two reports of the same socket pair,
 * the same LLDP neighbour on the same port, or the same VM placement give the same key.
 */
export function relationshipKey(rel: RelationshipRecord): string {
  const t = relationshipTarget(rel.target);
  return createHash('sha256')
    .update(`${rel.type}\n${t.kind}:${t.value}\n${stableJson(rel.evidence)}`)
    .digest('base64url')
    .slice(0, 32);
}

/** The record's relationships without repeats (the last report of a key wins), in order. */
export function dedupeRelationships(
  rels: readonly RelationshipRecord[],
): { key: string; rel: RelationshipRecord; target: RelationshipTarget }[] {
  const out = new Map<
    string,
    { key: string; rel: RelationshipRecord; target: RelationshipTarget }
  >();
  for (const rel of rels) {
    const key = relationshipKey(rel);
    out.set(key, { key, rel, target: relationshipTarget(rel.target) });
  }
  return [...out.values()];
}
