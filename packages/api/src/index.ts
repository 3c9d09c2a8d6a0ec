// @chainlab/api: the HTTP APIs of every chainlab service as TypeBox schemas — one source
// for request validation, response documentation, `GET /openapi.json`, docs/api.md and the
// explorer web client's types. Imports nothing but TypeBox.
export * from './common.js';
export * from './explorer.js';
export * from './markdown.js';
export * from './mempool.js';
export * from './mempool-feed.js';
export * from './node.js';
export * from './tracker.js';
