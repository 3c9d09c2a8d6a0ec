// Route parameters every service checks the same way. An address in a URL or a body is
// EIP-55 checked by core (parseAddress); a bad one is the client's error, 400 INVALID_ADDRESS.
import { parseAddress } from '@chainlab/core';
import { HttpError } from '@chainlab/service';

/**
 * The checksummed address, or a 400 INVALID_ADDRESS naming the field when it is not the
 * path's `:address` (e.g. `to` in a POST /call body).
 */
export function addressParam(raw: string, field?: string): string {
  try {
    return parseAddress(raw);
  } catch {
    throw new HttpError(
      400,
      'INVALID_ADDRESS',
      `${field ? `${field}: ` : ''}not a valid address (0x + 40 hex digits, EIP-55 checksum): ${raw.slice(0, 60)}`,
    );
  }
}
