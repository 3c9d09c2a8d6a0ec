// Transactions: the canonical binary encoding, the txid, the signature, the coinbase, and
// the JSON codec of docs/protocol.md — one file per concept, gathered here.
//
// Signing bytes (big-endian; the 85-byte head is shared by every type):
//   type u8 (0 coinbase, 1 transfer, 2 contract) | chainId u32 | nonce u64 |
//   from 20 (zeros for a coinbase) | to 20 (zeros for a deploy) | amount u128 | fee u128
// then, level 3 only:
//   coinbase: stateRoot 32 (the block's post-state commitment)
//   contract: toPresent u8 (0 deploy, 1 call) | gasLimit u64 | gasPrice u128 |
//             dataLength u32 | data
// txHash = SHA-256d(signing bytes); txid = its byte-reversed hex, as Bitcoin shows txids.
// The signature is secp256k1 ECDSA over txHash itself (no further hashing), low-S, sent
// as r(32) || s(32) || v(1), v = recovery id 0/1. The txid therefore excludes the
// signature: a third party cannot change a txid by re-encoding a signature (Bitcoin's
// malleability), and "the signature signs the txid".
// The block engineer imports these from './tx.js'; they live in their own concept files.
export { SignatureCache } from './sig-cache.js';
export { MAX_U128, blockSubsidy, formatCoins, parseCoins } from './coins.js';
export { checkTxAmounts, MAX_TX_DATA_BYTES } from './tx-fields.js';
export * from './tx-codec.js';
export * from './tx-signature.js';
export * from './coinbase.js';
export * from './tx-json.js';
