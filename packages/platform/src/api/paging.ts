// Query-string parsing shared by the list endpoints: page/limit and the output format.
import { PlatformError } from '../errors.js';
import type { Page } from '../store/platform-store.js';

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 50;

function intParam(v: unknown, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  const n = typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new PlatformError('bad_request', `${name} must be an integer from ${min} to ${max}`);
  }
  return n;
}

/** `page` ≥ 1 (default 1) and `limit` 1–500 (default 50), docs/protocol.md. */
export function parsePage(query: Record<string, unknown>): Page {
  return {
    page: intParam(query.page, 'page', 1, 1_000_000, 1),
    limit: intParam(query.limit, 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT),
  };
}

/** `format=json` (default) or `format=csv`. */
export function parseFormat(query: Record<string, unknown>): 'json' | 'csv' {
  const f = query.format ?? 'json';
  if (f !== 'json' && f !== 'csv')
    throw new PlatformError('bad_request', 'format must be json or csv');
  return f;
}

/** An optional string filter, bounded in length. */
export function optionalString(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 256) {
    throw new PlatformError('bad_request', `${name} must be a string of at most 256 characters`);
  }
  return v;
}
