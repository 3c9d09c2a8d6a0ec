// Revert data as Solidity encodes it: Error(string) for require/revert("..."), and
// Panic(uint256) for assert, overflow, division by zero, array bounds, ….

const ERROR_SELECTOR = '08c379a0'; // bytes4(keccak256("Error(string)"))
const PANIC_SELECTOR = '4e487b71'; // bytes4(keccak256("Panic(uint256)"))

const PANICS: Record<number, string> = {
  0x00: 'generic compiler panic',
  0x01: 'assertion failed',
  0x11: 'arithmetic overflow or underflow',
  0x12: 'division or modulo by zero',
  0x21: 'invalid enum value',
  0x22: 'corrupt storage byte array',
  0x31: 'pop on an empty array',
  0x32: 'array index out of bounds',
  0x41: 'out of memory',
  0x51: 'call to an uninitialized function',
};

/**
 * The human-readable reason in revert data: the message of Error(string), or a
 * description of Panic(uint256) ("panic 0x11: arithmetic overflow or underflow").
 * Undefined for empty data and for custom errors (decode those with the contract's ABI).
 */
export function decodeRevertReason(data: string): string | undefined {
  const h = data.startsWith('0x') ? data.slice(2).toLowerCase() : data.toLowerCase();
  if (h.length < 8) return undefined;
  const selector = h.slice(0, 8);
  const body = h.slice(8);
  try {
    if (selector === ERROR_SELECTOR && body.length >= 128) {
      const offset = Number.parseInt(body.slice(0, 64), 16) * 2;
      const length = Number.parseInt(body.slice(offset, offset + 64), 16) * 2;
      if (
        !Number.isFinite(offset) ||
        !Number.isFinite(length) ||
        offset + 64 + length > body.length
      )
        return undefined;
      return new TextDecoder('utf-8', { fatal: false }).decode(
        Buffer.from(body.slice(offset + 64, offset + 64 + length), 'hex'),
      );
    }
    if (selector === PANIC_SELECTOR && body.length === 64) {
      const code = Number.parseInt(body, 16);
      return `panic 0x${code.toString(16).padStart(2, '0')}: ${PANICS[code] ?? 'unknown panic code'}`;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
