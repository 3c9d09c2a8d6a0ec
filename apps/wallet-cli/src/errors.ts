// What can go wrong, and the exit code it ends with (docs/wallet.md): 0 ok, 1 refused or failed
// (the error code printed: `error: INSUFFICIENT_FUNDS: ...`), 2 usage.

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * A failure reported to the user as `error: CODE: message` (or `{"error": {...}}` with
 * --json). `code` is a server's error code (INSUFFICIENT_FUNDS, BAD_NONCE, ...) or one of the
 * wallet's own (UNREACHABLE, WRONG_PASSWORD, TIMEOUT, ...). `details` are added to the JSON
 * error object (e.g. the txid of a send whose --wait timed out).
 */
export class WalletError extends Error {
  override readonly name: string = 'WalletError';
  readonly exitCode: number = EXIT_FAILED;
  /** The HTTP status when a server refused. */
  status?: number | undefined;

  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A bad command line: malformed amount, address, name, missing password source... Exit 2. */
export class UsageError extends WalletError {
  override readonly name = 'UsageError';
  override readonly exitCode = EXIT_USAGE;

  constructor(message: string, code = 'USAGE') {
    super(code, message);
  }
}

export function isWalletError(e: unknown): e is WalletError {
  return e instanceof WalletError;
}
