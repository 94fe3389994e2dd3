// The control channel's message envelope as the agent reads and writes it (docs/protocol.md
// "Control channel"): `{v, type, id, replyTo, ts, payload}`, one JSON text frame each. Pure.
import { randomUUID } from 'node:crypto';

export const PROTOCOL_VERSION = 1;
/** Frames above this are answered with `error` bad_request and otherwise ignored. */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Frames above this close the connection (ws answers 1009) instead of being buffered. */
export const HARD_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface Envelope<P = Record<string, unknown>> {
  v: number;
  type: string;
  id: string;
  replyTo: string | null;
  ts: string;
  payload: P;
}

/** A frame that could not be taken: why, and the request's id when it could be read. */
export interface Refusal {
  reason: string;
  replyTo: string | null;
}

const MAX_ID = 128;
const MAX_TYPE = 64;

/** Each field's rule, checked in this order; the first that fails names the refusal. */
const FIELD_RULES: readonly [keyof Envelope, (v: unknown) => boolean, string][] = [
  ['v', (v) => v === PROTOCOL_VERSION, `v must be ${PROTOCOL_VERSION}`],
  [
    'type',
    (v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_TYPE,
    `type must be a string of 1-${MAX_TYPE} characters`,
  ],
  [
    'id',
    (v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID,
    `id must be a string of 1-${MAX_ID} characters`,
  ],
  [
    'replyTo',
    (v) => v === null || (typeof v === 'string' && v.length <= MAX_ID),
    'replyTo must be null or a string',
  ],
  ['ts', (v) => typeof v === 'string', 'ts must be a string'],
  ['payload', (v) => isPlainObject(v), 'payload must be a JSON object'],
];

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads one frame; a refusal says why. Binary frames, frames over `maxBytes`, non-JSON text, a
 * wrong `v` and a missing or mistyped field are refused.
 * @example readFrame('{"v":1}', false) // → { reason: 'type must be …', replyTo: null }
 */
export function readFrame(
  data: Buffer | string,
  isBinary: boolean,
  maxBytes = MAX_FRAME_BYTES,
): Envelope | Refusal {
  if (isBinary) return { reason: 'binary frames are not part of the protocol', replyTo: null };
  const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  if (bytes > maxBytes) {
    return {
      reason: `a frame of ${bytes} bytes is over the ${maxBytes}-byte limit`,
      replyTo: null,
    };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    return { reason: 'the frame is not JSON text', replyTo: null };
  }
  if (!isPlainObject(doc)) return { reason: 'the frame is not a JSON object', replyTo: null };
  const id = doc.id;
  const replyTo = typeof id === 'string' && id.length > 0 && id.length <= MAX_ID ? id : null;
  for (const [field, ok, reason] of FIELD_RULES) {
    if (!ok(doc[field])) return { reason, replyTo };
  }
  return doc as unknown as Envelope;
}

export function isRefusal(frame: Envelope | Refusal): frame is Refusal {
  return 'reason' in frame;
}

/** A new message from the agent; `replyTo` set for answers. */
export function makeEnvelope<P>(
  type: string,
  payload: P,
  replyTo: string | null = null,
  now: Date = new Date(),
): Envelope<P> {
  return { v: PROTOCOL_VERSION, type, id: randomUUID(), replyTo, ts: now.toISOString(), payload };
}
