// The upload batch body of docs/protocol.md (`POST /api/discovery/scan-data`), encoded once when
// the batch is cut and kept gzip-compressed in the outbox until the platform has it.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ScanSummary } from '@nopesight/model';

/** Protocol limits per batch: host records, gzip bytes, bytes once decompressed. */
export const BATCH_LIMITS = {
  maxHosts: 500,
  maxGzipBytes: 8 * 1024 * 1024,
  maxRawBytes: 64 * 1024 * 1024,
} as const;

/** The JSON body before gzip; `summary` only on the final batch. */
export interface BatchBody {
  agentId: string;
  scanId: string;
  seq: number;
  final: boolean;
  /** Host records as the JSON text they were stored with (spliced in, not re-parsed). */
  hosts: string[];
  summary?: ScanSummary;
}

/** The Idempotency-Key of a batch: `<agentId>:<scanId>:<seq>`. */
export function batchKey(agentId: string, scanId: string, seq: number): string {
  return `${agentId}:${scanId}:${seq}`;
}

/** The JSON text of a body; host records are spliced in as stored, so nothing is re-encoded. */
export function batchJson(body: BatchBody): string {
  const head = JSON.stringify({
    agentId: body.agentId,
    scanId: body.scanId,
    seq: body.seq,
    final: body.final,
  });
  const summary = body.summary === undefined ? '' : `,"summary":${JSON.stringify(body.summary)}`;
  return `${head.slice(0, -1)},"hosts":[${body.hosts.join(',')}]${summary}}`;
}

/**
 * Encodes a body as gzip, or returns null when it breaks a protocol limit (the caller cuts fewer
 * hosts). A single host too big for a batch is still encoded: the caller decides what to do.
 */
export function encodeBatch(body: BatchBody): { gzip: Buffer; rawBytes: number } | null {
  const raw = Buffer.from(batchJson(body), 'utf8');
  if (raw.length > BATCH_LIMITS.maxRawBytes && body.hosts.length > 1) return null;
  const gzip = gzipSync(raw);
  if (gzip.length > BATCH_LIMITS.maxGzipBytes && body.hosts.length > 1) return null;
  return { gzip, rawBytes: raw.length };
}

/** Decodes a stored body (tests and `uploads status --json` diagnostics). */
export function decodeBatch(gzip: Buffer): Record<string, unknown> {
  return JSON.parse(gunzipSync(gzip).toString('utf8')) as Record<string, unknown>;
}
