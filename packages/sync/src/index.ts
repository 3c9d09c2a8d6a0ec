// @chainlab/sync: the parts every process that follows the chain shares — nodes (which
// also mine) and the mempool (which only follows): the block store, the chain service that
// owns the block tree, WebSocket gossip, and peer discovery with its REST fallback.
export * from './storage.js';
export * from './clock.js';
export * from './chain-service.js';
export * from './gossip.js';
export * from './peers.js';
export * from './libsecp-verifier.js';
