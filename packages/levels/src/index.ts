// @chainlab/levels — the chain levels behind one interface (chain-level.ts): data (1),
// ledger (2), contracts (3), chosen once from the chain spec by loadChainLevel. The
// contracts level lives behind the "./contracts" entry and is never imported from here.
export * from './chain-level.js';
export * from './describe.js';
export * from './load.js';
export * from './data.js';
export * from './ledger.js';
export * from './http-params.js';
export * from './account-route.js';
export * from './spec-flag.js';
