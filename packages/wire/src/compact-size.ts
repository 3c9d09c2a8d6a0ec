// Bitcoin's CompactSize: the variable-length unsigned integer that prefixes counts and
// lengths in its serialization. 1 byte below 0xfd; else a marker byte (0xfd, 0xfe, 0xff)
// and the value in 2, 4 or 8 little-endian bytes. As Bitcoin Core does, only the shortest
// form is accepted: two encodings of one value would give one block two byte strings.
import { WireError } from './errors.js';

/** Bytes CompactSize needs for `n` (core's varintSize, counted the same way). */
export function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/** Writes `n` at `offset`; returns the offset after it. */
export function writeCompactSize(out: Uint8Array, offset: number, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`CompactSize of ${n}`);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (n < 0xfd) {
    out[offset] = n;
    return offset + 1;
  }
  if (n <= 0xffff) {
    out[offset] = 0xfd;
    view.setUint16(offset + 1, n, true);
    return offset + 3;
  }
  if (n <= 0xffffffff) {
    out[offset] = 0xfe;
    view.setUint32(offset + 1, n, true);
    return offset + 5;
  }
  out[offset] = 0xff;
  view.setBigUint64(offset + 1, BigInt(n), true);
  return offset + 9;
}

/** A cursor over untrusted bytes: every read is bounds-checked and throws a WireError. */
export class ByteReader {
  offset = 0;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, what: string): void {
    if (n > this.remaining)
      throw new WireError(`truncated: ${what} needs ${n} bytes, ${this.remaining} left`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }

  u32le(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  /** `n` bytes as a view into the input (no copy). */
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** A CompactSize, shortest form only, at most `max` (a count or a length bound). */
  compactSize(what: string, max: number): number {
    const first = this.u8(what);
    let n: number;
    let min: number;
    if (first < 0xfd) return checkMax(first, max, what);
    if (first === 0xfd) {
      this.need(2, what);
      n = this.view.getUint16(this.offset, true);
      this.offset += 2;
      min = 0xfd;
    } else if (first === 0xfe) {
      this.need(4, what);
      n = this.view.getUint32(this.offset, true);
      this.offset += 4;
      min = 0x10000;
    } else {
      this.need(8, what);
      const big = this.view.getBigUint64(this.offset, true);
      this.offset += 8;
      if (big > BigInt(max)) throw new WireError(`${what} ${big} is over ${max}`);
      n = Number(big);
      min = 0x100000000;
    }
    if (n < min) throw new WireError(`${what}: non-canonical CompactSize`);
    return checkMax(n, max, what);
  }
}

function checkMax(n: number, max: number, what: string): number {
  if (n > max) throw new WireError(`${what} ${n} is over ${max}`);
  return n;
}
