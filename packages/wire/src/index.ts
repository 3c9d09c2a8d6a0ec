// @chainlab/wire: the gossip protocol spoken over a node's /ws (docs/protocol.md §10), one
// file per message as btcd's wire package. Pure: it turns messages into frames and frames
// into checked messages; sockets, peers, bans and rate limits are the node's
// (packages/sync/src/gossip.ts).
export * from './errors.js';
export * from './limits.js';
export * from './compact-size.js';
export * from './block-bytes.js';
export * from './hello.js';
export * from './block.js';
export * from './tx.js';
export * from './getblocks.js';
export * from './blocks.js';
export * from './blocks-binary.js';
export * from './message.js';
