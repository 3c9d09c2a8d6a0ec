// Remembers signature verification results. Verifying a secp256k1 signature costs ~1 ms;
// a tx is seen by the mempool, then in a block, then again in sync and reorgs, so each
// (txid, sig) pair is verified once and looked up after that (as Bitcoin Core's
// CSignatureCache). The result is a pure function of txid and sig (the txid commits to
// every other field, `from` included), so caching it is safe.
//
// One instance per thread: it is plain memory, not shared; a worker keeps its own.

/**
 * A faster check for senders whose public key is already known — recovering the key from
 * a signature is the slow part. Apps plug in a native implementation (the node and mempool
 * use OpenSSL through node:crypto); core itself stays pure and portable.
 */
export interface KnownKeyVerifier {
  /**
   * Checks a low-S signature (r ‖ s, 64 bytes) over SHA-256d(signingBytes) against the
   * key previously learned for `address`. Undefined when no key is known for it.
   */
  verify(address: string, signingBytes: Uint8Array, sig64: Uint8Array): boolean | undefined;
  /** Remembers the uncompressed public key that a recovery proved belongs to `address`. */
  learn(address: string, publicKey: Uint8Array): void;
}

/** Bounded LRU: a Map keeps insertion order, so re-inserting on a hit makes it recent. */
export class SignatureCache {
  private readonly entries = new Map<string, boolean>();
  hits = 0;
  misses = 0;

  constructor(
    readonly maxEntries = 100_000,
    /** Optional fast path for known senders (see KnownKeyVerifier). */
    readonly knownKeys?: KnownKeyVerifier,
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
