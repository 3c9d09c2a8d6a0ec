// `tx`: a pending transaction (levels 2–3), relayed by whoever admitted it.
import { parseTx, RuleError, txToJson, type ChainSpec, type Tx } from '@chainlab/core';
import { WireError } from './errors.js';

export interface TxMessage {
  type: 'tx';
  /** The tx's JSON (docs/protocol.md §6, §11, §12), checked by readTx. */
  tx: unknown;
}

export function txMessage(tx: Tx): TxMessage {
  return { type: 'tx', tx: txToJson(tx) };
}

export function parseTxMessage(raw: Record<string, unknown>): TxMessage {
  if (raw.tx === undefined) throw new WireError('tx message without a tx');
  return { type: 'tx', tx: raw.tx };
}

/** The tx a message carries, for `spec`'s chain: its level's kinds, its amounts, its chain id. */
export function readTx(message: TxMessage, spec: ChainSpec): Tx {
  const tx = parseTx(message.tx, { maxAmount: spec.maxAmount, level: spec.level });
  if (tx.chainId !== spec.chainId)
    throw new RuleError('WRONG_CHAIN', `tx is for chain ${tx.chainId}, not ${spec.chainId}`);
  return tx;
}
