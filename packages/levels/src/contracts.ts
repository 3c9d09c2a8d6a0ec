// @chainlab/levels/contracts: level 3. Imported by load.ts on demand (and by tests); it
// brings in @chainlab/evm, so nothing a level-1 or level-2 process loads imports it.
export * from './contracts/level.js';
export * from './contracts/routes.js';
export * from './contracts/tip-view.js';
