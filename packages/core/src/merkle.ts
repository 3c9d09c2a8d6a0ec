// Bitcoin's merkle tree: SHA-256d of concatenated pairs, the last item of an odd level
// paired with itself. Leaves and root are 32-byte hashes in internal byte order.
import { concatBytes } from './bytes.js';
import { sha256d, displayToHash, hashToDisplay } from './hash.js';

const ZERO_HASH = new Uint8Array(32);

export function merkleRootBytes(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return ZERO_HASH; // no valid block is empty; the value is a placeholder
  let level = leaves.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left;
      next.push(sha256d(concatBytes(left, right)));
    }
    level = next;
  }
  return level[0]!;
}

/** Merkle root of display-form ids (txids, data item ids), in display form. */
export function merkleRoot(displayIds: readonly string[]): string {
  return hashToDisplay(merkleRootBytes(displayIds.map(displayToHash)));
}
