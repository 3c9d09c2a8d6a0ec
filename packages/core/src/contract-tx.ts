// Level-3 contract txs: the context-free gas rules (Ethereum's intrinsic gas, Cancun
// schedule), the up-front cost a sender must afford, and Ethereum's CREATE address rule.
// Execution itself is @chainlab/evm's job; these rules need no state, so the mempool and
// the wallet can apply them without running the EVM.
import { RuleError } from './errors.js';
import { addressFromBytes, addressToBytes } from './address.js';
import { fromHex } from './bytes.js';
import { keccak256 } from './hash.js';
import { accessListGas } from './eth-tx.js';
import type { ChainSpec, ContractTx } from './types.js';

/** Every tx pays this before its first instruction (a plain value transfer costs exactly this). */
export const TX_BASE_GAS = 21_000n;
/** Extra intrinsic gas of a deploy (Homestead's G_txcreate). */
export const TX_CREATE_GAS = 32_000n;
export const TX_DATA_ZERO_GAS = 4n;
export const TX_DATA_NONZERO_GAS = 16n;
/** EIP-3860: per 32-byte word of init code. */
export const INITCODE_WORD_GAS = 2n;
/** EIP-3860: the largest init code a deploy may carry. */
export const MAX_INITCODE_BYTES = 49_152;

/**
 * Gas charged before execution, as Ethereum computes it (Cancun): 21,000, plus 4 per zero
 * and 16 per non-zero data byte, plus for a deploy 32,000 and 2 per 32-byte word of init code,
 * plus an Ethereum tx's access list (2,400 per address, 1,900 per storage key).
 */
export function intrinsicGas(
  tx: Pick<ContractTx, 'to' | 'data'> & Pick<Partial<ContractTx>, 'eth'>,
): bigint {
  const data = fromHex(tx.data);
  let zeros = 0;
  for (const b of data) if (b === 0) zeros++;
  let gas =
    TX_BASE_GAS +
    BigInt(zeros) * TX_DATA_ZERO_GAS +
    BigInt(data.length - zeros) * TX_DATA_NONZERO_GAS;
  if (tx.to === null)
    gas += TX_CREATE_GAS + BigInt(Math.ceil(data.length / 32)) * INITCODE_WORD_GAS;
  // EIP-2930: an Ethereum tx's access list is paid for up front.
  if (tx.eth !== undefined) gas += accessListGas(tx.eth.accessList);
  return gas;
}

/** What the sender must hold before the tx runs: amount + gasLimit × gasPrice (the unused gas comes back). */
export function upfrontCost(tx: Pick<ContractTx, 'amount' | 'gasLimit' | 'gasPrice'>): bigint {
  return tx.amount + tx.gasLimit * tx.gasPrice;
}

/**
 * The rules of a contract tx that need no state: intrinsic gas ≤ gasLimit ≤ the block gas
 * limit (GAS_LIMIT), init code ≤ 49,152 bytes (MALFORMED_TX). Nonce, funds and the gas
 * left in the block are checked when the block runs.
 */
export function checkContractTx(tx: ContractTx, spec: Pick<ChainSpec, 'blockGasLimit'>): void {
  if (tx.gasLimit > spec.blockGasLimit)
    throw new RuleError(
      'GAS_LIMIT',
      `gasLimit ${tx.gasLimit} is above the block gas limit ${spec.blockGasLimit}`,
    );
  const intrinsic = intrinsicGas(tx);
  if (tx.gasLimit < intrinsic)
    throw new RuleError(
      'GAS_LIMIT',
      `gasLimit ${tx.gasLimit} is below the intrinsic gas ${intrinsic}`,
    );
  if (tx.to === null && (tx.data.length - 2) / 2 > MAX_INITCODE_BYTES)
    throw new RuleError('MALFORMED_TX', `init code is over ${MAX_INITCODE_BYTES} bytes (EIP-3860)`);
}

/**
 * Ethereum's CREATE rule: the contract a deploy from `from` with account nonce `nonce`
 * creates lives at the last 20 bytes of keccak-256(rlp([from, nonce])).
 */
export function contractAddress(from: string, nonce: number | bigint): string {
  const n = BigInt(nonce);
  if (n < 0n || n >= 1n << 64n) throw new RangeError('nonce must be a u64');
  let nonceRlp: Uint8Array;
  if (n === 0n) nonceRlp = Uint8Array.of(0x80);
  else if (n < 0x80n) nonceRlp = Uint8Array.of(Number(n));
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
    nonceRlp = Uint8Array.from([0x80 + bytes.length, ...bytes]);
  }
  const payloadLength = 21 + nonceRlp.length; // ≤ 30: a short list
  const rlp = new Uint8Array(1 + payloadLength);
  rlp[0] = 0xc0 + payloadLength;
  rlp[1] = 0x80 + 20;
  rlp.set(addressToBytes(from), 2);
  rlp.set(nonceRlp, 22);
  return addressFromBytes(keccak256(rlp).subarray(12));
}
