// The GUI API's HTTP plumbing: JSON bodies read under a size cap, JSON answers, and the one
// mapping from errors to `{error: {code, message, field?}}` with an HTTP status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScannerError, type ErrorCode } from '../../errors.js';
import { CommandError } from '../../platform/control-channel.js';
import type { SecretSet } from '../../log/redact.js';

/** Request bodies above this are refused (413) before they are parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The codes the GUI API answers with: the agent's, its own ERR_GUI_* and ERR_SCAN_RUNNING
 * among them (errors.ts, docs/errors.md). */
export type GuiErrorCode = ErrorCode;

/** An error the API answers with as it is: status, code, message and the field at fault. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: GuiErrorCode;
  readonly field: string | undefined;
  constructor(status: number, code: GuiErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export const badRequest = (message: string, field?: string) =>
  new ApiError(400, 'ERR_CONFIG_INVALID', message, field);
export const notFound = (message: string) => new ApiError(404, 'ERR_GUI_NOT_FOUND', message);

/** HTTP status for an error code: the user's input, a missing thing, the machine, a peer; the
 * GUI's own codes as docs/errors.md lists them (their usual status; a few answers differ, e.g.
 * ERR_GUI_AUTH is also 421/403 at the gate and ERR_GUI_BAD_REQUEST 413/415). */
export function statusFor(code: ErrorCode): number {
  switch (code) {
    case 'ERR_GUI_AUTH':
      return 401;
    case 'ERR_GUI_CSRF':
      return 403;
    case 'ERR_GUI_BAD_REQUEST':
      return 400;
    case 'ERR_GUI_NOT_FOUND':
      return 404;
    case 'ERR_SCAN_RUNNING':
      return 409;
    case 'ERR_GUI_INTERNAL':
      return 500;
    case 'ERR_CONFIG_INVALID':
    case 'ERR_TARGET_INVALID':
    case 'ERR_TARGET_TOO_LARGE':
      return 400;
    case 'ERR_CREDENTIAL_NOT_FOUND':
      return 404;
    case 'ERR_NOT_SUPPORTED':
    case 'ERR_ACCESS_DENIED':
      return 409;
    case 'ERR_PLATFORM_AUTH':
    case 'ERR_PLATFORM_UNAVAILABLE':
    case 'ERR_UNREACHABLE':
    case 'ERR_TIMEOUT':
      return 502;
    default:
      return 500;
  }
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/**
 * The answer for `err`: ApiError as given, ScannerError with its code, the scan-spec checks'
 * bad_request as ERR_CONFIG_INVALID, anything else ERR_GUI_INTERNAL without details (the
 * caller logs it). Messages go through `secrets.scrub` so no known secret is ever echoed.
 */
export function errorAnswer(
  err: unknown,
  secrets: SecretSet,
  fieldOf?: (message: string) => string | undefined,
): { status: number; body: ErrorBody; internal: boolean } {
  let status: number;
  let code: string;
  let message: string;
  let field: string | undefined;
  let internal = false;
  if (err instanceof ApiError) {
    ({ status, code, message, field } = err);
  } else if (err instanceof ScannerError) {
    status = statusFor(err.code);
    code = err.code;
    message = err.message;
  } else if (err instanceof CommandError && err.code === 'bad_request') {
    status = 400;
    code = 'ERR_CONFIG_INVALID';
    message = err.message;
  } else {
    status = 500;
    code = 'ERR_GUI_INTERNAL';
    message = 'internal error in the GUI server (details in logs/app.log)';
    internal = true;
  }
  message = secrets.scrub(message);
  field ??= status === 400 ? fieldOf?.(message) : undefined;
  return { status, body: { error: { code, message, ...(field ? { field } : {}) } }, internal };
}

/** Sends `body` as JSON (no-store: API answers are never cached). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Cache-Control': 'no-store' });
  res.end();
}

/**
 * Reads the request's JSON body (at most MAX_BODY_BYTES; an empty body is `{}`). A body that is
 * too large is 413, one that is not a JSON object 400; the parser's message (which may quote the
 * input, secrets included) is never passed on.
 */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'ERR_GUI_BAD_REQUEST', 'the body is not valid JSON (not shown)');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ApiError(400, 'ERR_GUI_BAD_REQUEST', 'the body must be one JSON object');
  }
  return doc as Record<string, unknown>;
}

function tooLarge(): ApiError {
  return new ApiError(
    413,
    'ERR_GUI_BAD_REQUEST',
    `the body is larger than ${MAX_BODY_BYTES} bytes`,
  );
}

/** Checks that `body` has only `allowed` keys; an unknown one is 400 naming it. */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw badRequest(`unknown field '${key}' (allowed: ${allowed.join(', ')})`, key);
    }
  }
}

/** An optional string field; any other type is 400 naming it. */
export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`${key} must be a string`, key);
  return v;
}

/** An optional list of strings; any other shape is 400 naming it. */
export function optionalStrings(body: Record<string, unknown>, key: string): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    throw badRequest(`${key} must be a list of strings`, key);
  }
  return v as string[];
}

/**
 * The first of `fields` that a validation message names as a word (the core's messages name
 * the field at fault: "port must be…", "timezone must be…").
 */
export function fieldNamedIn(message: string, fields: readonly string[]): string | undefined {
  let best: { field: string; at: number } | undefined;
  for (const field of fields) {
    const m = new RegExp(
      `(^|[^A-Za-z-])${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z-]|$)`,
    ).exec(message);
    if (m && (best === undefined || m.index < best.at)) best = { field, at: m.index };
  }
  return best?.field;
}
