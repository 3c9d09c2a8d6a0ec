// Remembers signature verification results. Verifying a secp256k1 signature costs 0.3–2 ms;
// a tx is seen by the mempool, then in a block, then again in sync and reorgs, so each
// (txid, sig) pair is verified once and looked up after that (as Bitcoin Core's
// CSignatureCache). The result is a pure function of txid and sig (the txid commits to
// every other field, `from` included), so caching it is safe.
//
// One instance per thread: it is plain memory, not shared; a worker keeps its own.

/**
 * A faster secp256k1 backend, plugged in by apps; core itself stays pure and portable and
 * recovers with @noble/secp256k1 (also the reference every backend is tested against).
 * The node and mempool plug in libsecp256k1 (sync's LibsecpVerifier: the native addon where
 * it loads, ~25× faster, else WebAssembly, ~8×). Core checks a signature's form first
 * (1 ≤ r, s < n, low S, recovery id 0/1), so a backend only sees well-formed signatures.
 *
 * Recovery, not a plain verify against a cached key: a plain ECDSA verify ignores the
 * recovery id, so it would accept a signature whose v was flipped, which recovery refuses —
 * nodes with and without the sender's key cached would then disagree about a block.
 */
export interface SignatureBackend {
  /**
   * The uncompressed (65-byte) public key that signed `digest` (no further hashing) with
   * (sig64, recoveryId), or null when none did.
   */
  recover(digest: Uint8Array, sig64: Uint8Array, recoveryId: number): Uint8Array | null;
}

/** Bounded LRU: a Map keeps insertion order, so re-inserting on a hit makes it recent. */
export class SignatureCache {
  private readonly entries = new Map<string, boolean>();
  hits = 0;
  misses = 0;

  constructor(
    readonly maxEntries = 100_000,
    /** Optional faster secp256k1 math (see SignatureBackend); default pure JS. */
    readonly backend?: SignatureBackend,
  ) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
      throw new RangeError('maxEntries must be ≥ 1');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached verification result, or undefined when this pair was never verified. */
  get(txid: string, sig: string): boolean | undefined {
    const key = cacheKey(txid, sig);
    const result = this.entries.get(key);
    if (result === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, result);
    return result;
  }

  set(txid: string, sig: string, valid: boolean): void {
    const key = cacheKey(txid, sig);
    this.entries.delete(key);
    this.entries.set(key, valid);
    // Evict the least recently used entries (the Map's first keys).
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
    this.hits = 0;
    this.misses = 0;
  }
}

// Lowercased so that hex case (which parseTx normalizes anyway) cannot split entries.
function cacheKey(txid: string, sig: string): string {
  return (txid + sig).toLowerCase();
}
