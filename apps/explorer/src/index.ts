// The explorer's server parts as a library (for tests and experiments).
export {
  analyzeBlock,
  dataItemId,
  powInfo,
  type BlockAnalysis,
  type BlockJson,
  type PowInfo,
  type TxView,
} from './analysis.js';
export { ChainIndex, type IndexedBlock } from './chain-index.js';
export { resolveChainInfo, type ChainInfo } from './chain-info.js';
export { DEFAULT_EXPLORER_PORT, explorerCli } from './cli.js';
export { LiveHub } from './live.js';
export {
  compareWork,
  detectReorg,
  Network,
  type KnownBlock,
  type NodeState,
  type ReorgEvent,
  type TreeJson,
} from './network.js';
export { registerExplorerRoutes, type ExplorerDeps } from './routes/index.js';
