// Errors the platform answers with: a stable HTTP error code (docs/protocol.md "Errors") and status.

/** The codes every non-2xx response carries in `{error: {code, message}}` (docs/protocol.md). */
export const HTTP_ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'too_large',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

const DEFAULT_STATUS: Record<HttpErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** An error raised on purpose: the route layer turns it into `{error: {code, message}}`. */
export class PlatformError extends Error {
  readonly code: HttpErrorCode;
  readonly statusCode: number;
  constructor(
    code: HttpErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PlatformError';
    this.code = code;
    this.statusCode = options?.status ?? DEFAULT_STATUS[code];
  }
}

/** The error code for an HTTP status the framework chose (body too large, unsupported type…). */
export function codeForStatus(status: number): HttpErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 413) return 'too_large';
  if (status === 429) return 'rate_limited';
  if (status === 503 || status === 504) return 'unavailable';
  if (status >= 400 && status < 500) return 'bad_request';
  return 'internal';
}
