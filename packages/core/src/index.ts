// @chainlab/core — the consensus rules of chainlab, pure: no I/O, no clock, no implicit
// randomness. Read it in this order: header → pow → merkle → difficulty → tx → state →
// block → chain.
export * from './types.js';
export * from './errors.js';
export * from './bytes.js';
export * from './hash.js';
export * from './header.js';
export * from './pow.js';
export * from './merkle.js';
export * from './difficulty.js';
export * from './spec.js';
export * from './block.js';
export * from './state-machine.js';
export * from './chain.js';
export * from './locator.js';
export * from './builder.js';
export * from './ledger-exports.js';
export * from './heap.js';
