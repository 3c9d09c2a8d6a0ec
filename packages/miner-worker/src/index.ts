// @chainlab/miner-worker: proof-of-work nonce search on worker threads.
export {
  MinerPool,
  WORKER_URL,
  defaultThreads,
  type Hashrate,
  type MineOptions,
  type MineResult,
  type MineTemplate,
  type MinerPoolOptions,
} from './pool.js';
export {
  DEFAULT_CHECK_EVERY,
  NONCE_SPACE,
  SHA256_IV,
  compress,
  digestWordsMeetTarget,
  hashMeetsTarget,
  headerHash,
  midstate,
  resolveEngine,
  searchNonces,
  sha256,
  sha256d,
  targetToWords,
  targetWordsToBigInt,
  withNonce,
  type Engine,
  type SearchOptions,
  type SearchResult,
  type TargetInput,
  type TargetWords,
} from './sha256d.js';
export type { MineTask, MineTaskResult } from './worker.js';
