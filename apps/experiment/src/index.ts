// @chainlab/experiment: the runner behind `pnpm experiment` (also usable from tests).
export * from './run.js';
export { buildProgram, main } from './cli.js';
export * from './analysis.js';
export * from './plots.js';
export * from './svg.js';
export { runReal, type RealResult } from './real/runner.js';
export { NetworkControl } from './real/network.js';
