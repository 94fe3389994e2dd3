// Validation of an upload (docs/protocol.md "Upload"): every shape the store relies on is checked
// here, with a message naming the offending path, so the store never sees a malformed batch.
import {
  CI_TYPES,
  PROTOCOL_STATUSES,
  RELATIONSHIP_TYPES as MODEL_RELATIONSHIP_TYPES,
  SECTION_STATES,
  type HostRecord,
  type ScanState,
  type ScanSummary,
} from '@nopesight/model';
import { PlatformError } from '../errors.js';

/** Limits of one batch (docs/protocol.md). */
export const BATCH_LIMITS = {
  maxHosts: 500,
  maxGzipBytes: 8 * 1024 * 1024,
  maxJsonBytes: 64 * 1024 * 1024,
  /** Nesting depth of the decoded JSON; real records stay under 12. */
  maxDepth: 64,
} as const;

export const AGENT_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const SCAN_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const RELATIONSHIP_TYPES: ReadonlySet<string> = new Set(MODEL_RELATIONSHIP_TYPES);
const SCAN_STATES = new Set<ScanState>(['running', 'completed', 'cancelled', 'failed']);
const MAX_IDENTITY_STRING = 1024;

export interface ScanBatch {
  agentId: string;
  scanId: string;
  seq: number;
  final: boolean;
  hosts: HostRecord[];
  summary: ScanSummary | null;
}

const bad = (message: string): PlatformError => new PlatformError('bad_request', message);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Depth of a JSON value, measured without recursion (a hostile body can nest a million arrays).
 * Stops counting once past `limit`.
 */
export function jsonDepth(value: unknown, limit: number = BATCH_LIMITS.maxDepth): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
    }
  }
  return max;
}

function str(v: unknown, path: string, opts: { nullable?: boolean; max?: number } = {}): void {
  if (v === null && opts.nullable) return;
  if (typeof v !== 'string')
    throw bad(`${path} must be a string${opts.nullable ? ' or null' : ''}`);
  if (opts.max !== undefined && v.length > opts.max) {
    throw bad(`${path} is longer than ${opts.max} characters`);
  }
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw bad(`${path} must be an array`);
  return v;
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (!isObject(v)) throw bad(`${path} must be an object`);
  return v;
}

function oneOf(v: unknown, allowed: ReadonlySet<string> | readonly string[], path: string): void {
  const ok = Array.isArray(allowed)
    ? allowed.includes(v as string)
    : (allowed as ReadonlySet<string>).has(v as string);
  if (typeof v !== 'string' || !ok) {
    throw bad(`${path} must be one of ${[...allowed].join(', ')}`);
  }
}

/** Checks one host record's shape (the fields the platform reads); throws bad_request. */
export function validateHostRecord(h: unknown, path: string): asserts h is HostRecord {
  const r = obj(h, path);
  str(r.address, `${path}.address`, { max: 64 });
  if ((r.address as string).length === 0) throw bad(`${path}.address must not be empty`);
  arr(r.hostnames, `${path}.hostnames`).forEach((n, i) => {
    str(obj(n, `${path}.hostnames[${i}]`).name, `${path}.hostnames[${i}].name`, { max: 1024 });
  });
  arr(r.macs, `${path}.macs`).forEach((m, i) => {
    str(obj(m, `${path}.macs[${i}]`).mac, `${path}.macs[${i}].mac`, { max: 64 });
  });
  const d = obj(r.discovery, `${path}.discovery`);
  for (const k of ['startedAt', 'finishedAt'] as const) {
    if (d[k] !== undefined) str(d[k], `${path}.discovery.${k}`, { nullable: true, max: 64 });
  }
  arr(r.protocols, `${path}.protocols`).forEach((p, i) => {
    const q = obj(p, `${path}.protocols[${i}]`);
    str(q.protocol, `${path}.protocols[${i}].protocol`, { max: 64 });
    oneOf(q.status, PROTOCOL_STATUSES, `${path}.protocols[${i}].status`);
  });
  const ci = obj(r.ci, `${path}.ci`);
  oneOf(ci.type, CI_TYPES, `${path}.ci.type`);
  if (ci.typeReason !== undefined) str(ci.typeReason, `${path}.ci.typeReason`);
  const id = obj(ci.identity, `${path}.ci.identity`);
  for (const k of ['hostname', 'fqdn', 'domain', 'serial', 'systemUuid'] as const) {
    str(id[k] ?? null, `${path}.ci.identity.${k}`, { nullable: true, max: MAX_IDENTITY_STRING });
  }
  arr(id.macs, `${path}.ci.identity.macs`).forEach((m, i) =>
    str(m, `${path}.ci.identity.macs[${i}]`, { max: 64 }),
  );
  for (const [k, v] of Object.entries(obj(r.sections, `${path}.sections`))) {
    oneOf(v, SECTION_STATES, `${path}.sections.${k}`);
  }
  arr(r.relationships, `${path}.relationships`).forEach((x, i) => {
    const rel = obj(x, `${path}.relationships[${i}]`);
    oneOf(rel.type, RELATIONSHIP_TYPES, `${path}.relationships[${i}].type`);
    str(rel.target, `${path}.relationships[${i}].target`, { max: 1024 });
    if ((rel.target as string).trim() === '') {
      throw bad(`${path}.relationships[${i}].target must not be empty`);
    }
    obj(rel.evidence, `${path}.relationships[${i}].evidence`);
  });
}

function validateSummary(s: unknown, scanId: string): asserts s is ScanSummary {
  const o = obj(s, 'summary');
  if (o.scanId !== undefined && o.scanId !== scanId) {
    throw bad(`summary.scanId (${String(o.scanId)}) is not the batch's scanId (${scanId})`);
  }
  oneOf(o.state, SCAN_STATES, 'summary.state');
  str(o.startedAt ?? null, 'summary.startedAt', { nullable: true, max: 64 });
  str(o.finishedAt ?? null, 'summary.finishedAt', { nullable: true, max: 64 });
  if (o.durationMs !== undefined && (typeof o.durationMs !== 'number' || !(o.durationMs >= 0))) {
    throw bad('summary.durationMs must be a number >= 0');
  }
  if (o.statuses !== undefined) {
    for (const [k, v] of Object.entries(obj(o.statuses, 'summary.statuses'))) {
      oneOf(k, PROTOCOL_STATUSES, `summary.statuses key ${k}`);
      if (!Number.isInteger(v) || (v as number) < 0) {
        throw bad(`summary.statuses.${k} must be an integer >= 0`);
      }
    }
  }
}

/**
 * Checks a decoded body against the protocol and the `Idempotency-Key` header; returns the batch.
 * Too many hosts is `too_large`; anything else wrong is `bad_request` naming the path.
 */
export function parseScanBatch(body: unknown, idempotencyKey: string | undefined): ScanBatch {
  if (jsonDepth(body) > BATCH_LIMITS.maxDepth) {
    throw bad(`the body nests deeper than ${BATCH_LIMITS.maxDepth} levels`);
  }
  const b = obj(body, 'the body');
  str(b.agentId, 'agentId');
  if (!AGENT_ID_PATTERN.test(b.agentId as string))
    throw bad('agentId must be 1-64 of A-Za-z0-9._-');
  str(b.scanId, 'scanId');
  if (!SCAN_ID_PATTERN.test(b.scanId as string)) throw bad('scanId must be 1-128 of A-Za-z0-9._:-');
  if (!Number.isSafeInteger(b.seq) || (b.seq as number) < 0)
    throw bad('seq must be an integer >= 0');
  if (typeof b.final !== 'boolean') throw bad('final must be a boolean');
  const hosts = arr(b.hosts, 'hosts');
  if (hosts.length > BATCH_LIMITS.maxHosts) {
    throw new PlatformError(
      'too_large',
      `a batch holds at most ${BATCH_LIMITS.maxHosts} host records (this one ${hosts.length})`,
    );
  }
  if (idempotencyKey === undefined || idempotencyKey === '') {
    throw bad('the Idempotency-Key header is missing (agentId:scanId:seq)');
  }
  const expected = `${b.agentId as string}:${b.scanId as string}:${b.seq as number}`;
  if (idempotencyKey !== expected) {
    throw bad(
      `Idempotency-Key ${JSON.stringify(idempotencyKey)} does not match the body (${expected})`,
    );
  }
  hosts.forEach((h, i) => validateHostRecord(h, `hosts[${i}]`));
  let summary: ScanSummary | null = null;
  if (b.summary !== undefined && b.summary !== null) {
    validateSummary(b.summary, b.scanId as string);
    summary = b.summary;
  } else if (b.final) {
    throw bad('the final batch must carry summary');
  }
  return {
    agentId: b.agentId as string,
    scanId: b.scanId as string,
    seq: b.seq as number,
    final: b.final,
    hosts: hosts as HostRecord[],
    summary,
  };
}
