// @chainlab/service: the shell shared by every chainlab service (tracker, node, mempool).
export * from './config.js';
export * from './errors.js';
export * from './http-client.js';
export * from './lifecycle.js';
export * from './logger.js';
export * from './run.js';
export * from './server.js';
export * from './typebox.js';
export * from './url.js';
export * from './journal.js';
export * from './openapi.js';
export * from './protection.js';
export * from './event-loop.js';
