// The attack strategies' decisions: pure functions shared by the simulator and the node
// (`@chainlab/sim/decisions` loads nothing else of the simulator).
export * from './selfish.js';
export * from './double-spend.js';
