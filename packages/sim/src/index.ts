// @chainlab/sim — a deterministic discrete-event simulator of chainlab networks that runs
// core's block validation and fork choice with simulated time and proof of work.
// Read: scenario.ts (what a run is) → engine.ts (how it runs) → strategies/ → summary.ts.
export * from './rng.js';
export * from './heap.js';
export * from './errors.js';
export * from './scenario.js';
export * from './network.js';
export * from './regions.js';
export * from './types.js';
export * from './engine.js';
export * from './summary.js';
export * from './theory.js';
export * from './strategies/index.js';
