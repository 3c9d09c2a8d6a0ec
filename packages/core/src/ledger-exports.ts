// The ledger half of @chainlab/core (keys, addresses, txs, money, state). index.ts
// re-exports this file, so the two halves of the package can be written independently.
export * from './address.js';
export * from './coins.js';
export * from './sig-cache.js';
export * from './tx.js';
export * from './state.js';
export * from './ledger-machine.js';
export * from './contract-tx.js';
export * from './eth-tx.js';
export * from './base-fee.js';
