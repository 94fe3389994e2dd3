// The control channel's JSON envelope (docs/protocol.md "Control channel"): parsing with a
// reason for every refusal, and building messages. Pure.
import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION } from '../version.js';

export interface Envelope {
  v: number;
  type: string;
  id: string;
  replyTo: string | null;
  ts: string;
  payload: unknown;
}

/** Frames larger than this are refused with an `error` reply (docs/protocol.md). */
export const MAX_FRAME_BYTES = 1024 * 1024;

export type ParsedFrame =
  { ok: true; message: Envelope } | { ok: false; message: string; replyTo: string | null };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses one frame. Refuses binary frames, frames over `maxBytes`, non-JSON text, a wrong `v`
 * and missing or mistyped fields; `replyTo` is the frame's `id` when it could be read, so the
 * `error` reply can point at it.
 */
export function parseFrame(
  data: Buffer | string,
  isBinary: boolean,
  maxBytes: number = MAX_FRAME_BYTES,
): ParsedFrame {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (isBinary) return { ok: false, message: 'binary frames are not accepted', replyTo: null };
  if (size > maxBytes) {
    return { ok: false, message: `frame of ${size} bytes is over ${maxBytes}`, replyTo: null };
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    return { ok: false, message: 'the frame is not JSON', replyTo: null };
  }
  if (!isObject(value))
    return { ok: false, message: 'the frame is not a JSON object', replyTo: null };
  const replyTo = typeof value.id === 'string' && value.id.length <= 128 ? value.id : null;
  const fail = (message: string): ParsedFrame => ({ ok: false, message, replyTo });
  if (value.v !== PROTOCOL_VERSION) return fail(`v must be ${PROTOCOL_VERSION}`);
  if (typeof value.type !== 'string' || value.type.length === 0 || value.type.length > 64) {
    return fail('type must be a non-empty string');
  }
  if (replyTo === null || replyTo.length === 0)
    return fail('id must be a string of 1-128 characters');
  if (value.replyTo !== null && typeof value.replyTo !== 'string') {
    return fail('replyTo must be a string or null');
  }
  if (typeof value.ts !== 'string') return fail('ts must be a string');
  if (!isObject(value.payload)) return fail('payload must be an object');
  return {
    ok: true,
    message: {
      v: value.v,
      type: value.type,
      id: replyTo,
      replyTo: value.replyTo,
      ts: value.ts,
      payload: value.payload,
    },
  };
}

/** A new message from the platform. */
export function envelope(
  type: string,
  payload: unknown,
  replyTo: string | null = null,
  now: Date = new Date(),
): Envelope {
  return { v: PROTOCOL_VERSION, type, id: randomUUID(), replyTo, ts: now.toISOString(), payload };
}
