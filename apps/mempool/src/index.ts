// @chainlab/mempool as a library: the pure pool and its parts, for tests and benchmarks.
// The service itself is main.ts.
export * from './errors.js';
export * from './pending-state.js';
export * from './order.js';
export * from './pool.js';
export * from './balances.js';
export * from './tx-index.js';
export * from './verifier.js';
export * from './mempool.js';
export * from './persist.js';
export * from './routes.js';
