// Request bodies: gzip or plain JSON, decoded within size limits and checked for hostile nesting
// before JSON.parse ever sees them.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { PlatformError } from '../errors.js';

const gunzipAsync = promisify(gunzip);

/** Bytes of JSON a body may decode to when its route sets no limit. */
export const DEFAULT_MAX_JSON_BYTES = 1024 * 1024;
/** Nesting allowed in any body (host records stay under 12 levels). */
export const MAX_BODY_DEPTH = 64;

/**
 * The deepest `[`/`{` nesting of JSON text, ignoring brackets inside strings; stops as soon as
 * `limit` is passed. Linear and allocation-free, so a 64 MiB `[[[[…` costs milliseconds, not a
 * parse.
 */
export function textDepthExceeds(buf: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

export interface DecodedBody {
  value: unknown;
  /** SHA-256 (hex) of the decoded JSON text. */
  sha256: string;
}

/**
 * Decodes a raw body: gunzip when `Content-Encoding: gzip` (capped at `maxJsonBytes` decoded:
 * 413), identity otherwise (other encodings: 415), then depth check, JSON.parse, and a refusal of
 * `__proto__` keys (400).
 */
export async function decodeJsonBody(
  raw: Buffer,
  contentEncoding: string | string[] | undefined,
  maxJsonBytes: number,
): Promise<DecodedBody> {
  const encoding = (
    Array.isArray(contentEncoding) ? contentEncoding.join(',') : (contentEncoding ?? '')
  )
    .trim()
    .toLowerCase();
  let text: Buffer;
  if (encoding === 'gzip' || encoding === 'x-gzip') {
    try {
      text = await gunzipAsync(raw, { maxOutputLength: maxJsonBytes });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new PlatformError(
          'too_large',
          `the body decompresses to more than ${maxJsonBytes} bytes`,
        );
      }
      throw new PlatformError('bad_request', 'the body is not valid gzip', { cause: err });
    }
  } else if (encoding === '' || encoding === 'identity') {
    if (raw.length > maxJsonBytes) {
      throw new PlatformError('too_large', `the body is larger than ${maxJsonBytes} bytes`);
    }
    text = raw;
  } else {
    throw new PlatformError('bad_request', `Content-Encoding ${encoding} is not supported (gzip)`, {
      status: 415,
    });
  }
  if (textDepthExceeds(text, MAX_BODY_DEPTH)) {
    throw new PlatformError('bad_request', `the body nests deeper than ${MAX_BODY_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.toString('utf8'));
  } catch (err) {
    throw new PlatformError('bad_request', `the body is not JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (text.includes('"__proto__"')) {
    throw new PlatformError('bad_request', 'the body has a "__proto__" key');
  }
  return { value, sha256: createHash('sha256').update(text).digest('hex') };
}
