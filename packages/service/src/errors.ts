// The one error format of every chainlab HTTP API (docs/api.md):
//   status code + {"error": {"code": "SNAKE_CASE", "message": "..."}}
// Routes throw HttpError; the server's error handler turns anything else into this shape.

import { Type, type Static } from '@sinclair/typebox';

/** Schema of every error answer, for route `response` declarations and documentation. */
export const ErrorBodySchema = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
export type ErrorBody = Static<typeof ErrorBodySchema>;

const CODE_RE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/** True for an error code in the API's SNAKE_CASE form (`INVALID_URL`, `TOO_LARGE`). */
export function isErrorCode(code: unknown): code is string {
  return typeof code === 'string' && CODE_RE.test(code);
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * An error a route throws to answer with a given status and error code:
 * `throw new HttpError(404, 'BLOCK_NOT_FOUND', 'no block at height 12')`.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new TypeError(`HttpError status must be an integer in 400..599, got ${status}`);
    }
    if (!isErrorCode(code)) {
      throw new TypeError(`HttpError code must be SNAKE_CASE, got ${JSON.stringify(code)}`);
    }
  }

  toJSON(): ErrorBody {
    return errorBody(this.code, this.message);
  }
}

export function isHttpError(e: unknown): e is HttpError {
  return e instanceof HttpError;
}
