// Balances at n confirmations (docs/api.md):
//   n = 0   the chain plus every pending (ready) tx: the pool's confirmations-0 state;
//   n = 1   every tx in the active chain: the tip state;
//   n = k   only blocks with at least k confirmations, i.e. the state right after the
//           block at height tip − k + 1.
// For k ≥ 2 the state is not replayed: the tip state is walked back through the undo
// records of the last k − 1 blocks (each lists the previous value of every account the
// block touched, sorted by address). The oldest of those blocks that touched the address
// holds its value after block tip − k + 1. Cost O(k · log(accounts per block)),
// independent of the chain's length and of the number of accounts.
import type { BlockUndo, Chain } from '@chainlab/core';
import type { StateView } from './pending-state.js';

/** The previous value of `address` in an undo record, or undefined if the block did not touch it. */
export function undoEntry(
  undo: BlockUndo,
  address: string,
): { prev: { balance: bigint } | null } | undefined {
  const key = address.toLowerCase();
  const list = undo.accounts;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = list[mid]!.address.toLowerCase();
    if (at === key) return list[mid];
    if (at < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** Balance of `address` with at least `confirmations` confirmations (k ≥ 1), from the chain. */
export function confirmedBalance(
  chain: Chain,
  tip: StateView,
  address: string,
  confirmations: number,
): bigint {
  if (!Number.isSafeInteger(confirmations) || confirmations < 1)
    throw new RangeError('confirmations must be ≥ 1');
  const height = chain.height;
  // Not even genesis has that many confirmations: nothing counts yet.
  if (confirmations > height + 1) return 0n;
  const after = height - confirmations + 1;
  // Oldest first: the first block after `after` that touched the address knows its value then.
  for (let h = after + 1; h <= height; h++) {
    const node = chain.atHeight(h)!;
    const undo = chain.undoOf(node.hash) as BlockUndo | undefined;
    if (!undo) throw new Error(`no undo record for active block ${node.hash}`);
    const entry = undoEntry(undo, address);
    if (entry) return entry.prev?.balance ?? 0n;
  }
  return tip.get(address).balance;
}
