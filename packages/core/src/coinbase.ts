// The coinbase: the block's first tx, minting the subsidy and the fees to the miner (level 3
// adds the state root), and the chain context every tx is checked in.
import { RuleError } from './errors.js';
import { parseAddress } from './address.js';
import type { CoinbaseTx, Tx } from './types.js';
import { checkData, checkNonce, checkTxAmounts, checkU32 } from './tx-fields.js';

/**
 * The coinbase of the block at `height` (nonce = height makes every coinbase txid unique,
 * as BIP34). Level 3 passes `stateRoot`: the state root after the block (0x + 32 bytes).
 */
export function createCoinbase(
  to: string,
  amount: bigint,
  height: number,
  chainId: number,
  stateRoot?: string,
): CoinbaseTx {
  const tx: CoinbaseTx = {
    kind: 'coinbase',
    from: null,
    to: parseAddress(to),
    amount,
    fee: 0n,
    nonce: height,
    chainId,
    sig: null,
  };
  if (stateRoot !== undefined) {
    checkData(stateRoot, 'stateRoot', 32);
    tx.data = stateRoot.toLowerCase();
  }
  checkNonce(height);
  checkU32(chainId, 'chainId');
  checkTxAmounts(tx);
  return tx;
}

/** Throws WRONG_CHAIN for a tx signed for another chain (the replay protection chainId gives). */
export function checkTxContext(tx: Tx, chainId: number): void {
  if (tx.chainId !== chainId)
    throw new RuleError('WRONG_CHAIN', `tx is for chain ${tx.chainId}, this is chain ${chainId}`);
}
