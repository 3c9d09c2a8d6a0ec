export * from './http.js';
export * from './poll.js';
export * from './service.js';
export * from './temp.js';
export * from './chain.js';
export * from './explorer.js';
export * from './cleanup.js';
