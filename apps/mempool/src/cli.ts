// The mempool's command line: the common service flags (docs/services.md) plus its own.
import { availableParallelism } from 'node:os';
import type { ChainSpec } from '@chainlab/core';
import { describeLevel, readSpecFlag } from '@chainlab/levels';
import {
  intOption,
  stringOption,
  switchOption,
  UsageError,
  type ServiceCliSpec,
} from '@chainlab/service';
import { defaultSecpEngine } from '@chainlab/sync/libsecp-verifier';
import { DEFAULT_MAX_NONCE_GAP, DEFAULT_MAX_TXS } from './pool.js';

export const DEFAULT_MEMPOOL_PORT = 7200;

/**
 * With native libsecp256k1 a recovery costs less than a hop to a worker thread and back,
 * so signatures are verified in the event loop's thread (measured: docs/performance.md).
 * With the WebAssembly build (~5× slower) one core stays with the event loop and the rest
 * verify signatures.
 */
export const DEFAULT_VERIFY_THREADS =
  defaultSecpEngine() === 'native' ? 0 : Math.max(1, Math.min(8, availableParallelism() - 1));

const options = {
  maxTxs: intOption(
    '--max-txs <n>',
    'most pending txs held; beyond it the cheapest leave (or a cheaper newcomer is refused with POOL_FULL)',
    {
      default: DEFAULT_MAX_TXS,
      min: 1,
      max: 10_000_000,
    },
  ),
  maxNonceGap: intOption(
    '--max-nonce-gap <n>',
    "how far beyond a sender's next nonce a tx is held until the gap fills",
    {
      default: DEFAULT_MAX_NONCE_GAP,
      min: 0,
      max: 1000,
    },
  ),
  verifyThreads: intOption(
    '--verify-threads <n>',
    'worker threads verifying signatures (0: in the main thread)',
    {
      default: DEFAULT_VERIFY_THREADS,
      min: 0,
      max: 256,
    },
  ),
  fsync: switchOption(
    '--fsync',
    'fsync the tx journal before /pushtx answers 200, so an acknowledged tx survives a power cut, not only a crash (--no-fsync: faster, survives kill -9 only)',
    { default: true, negatable: true },
  ),
  peers: stringOption(
    '--peers <urls>',
    'comma-separated node URLs to follow besides those from the tracker',
  ),
  pollInterval: intOption(
    '--poll-interval <ms>',
    "how often to poll the nodes' /tip over REST (the fallback to WebSocket gossip)",
    {
      default: 5000,
      min: 100,
    },
  ),
};

export const mempoolCli: ServiceCliSpec<typeof options> = {
  name: 'mempool',
  description:
    'chainlab mempool: the pool of unprocessed transactions. Follows the chain with the most work among the nodes the tracker lists, validates it, and answers balances and confirmations.',
  defaultPort: DEFAULT_MEMPOOL_PORT,
  defaults: { tracker: 'http://127.0.0.1:7100' },
  unused: ['mempool'],
  options,
  examples: [
    'pnpm start:mempool',
    'pnpm start:mempool -- --port 0 --spec ./my-chain.json --tracker http://127.0.0.1:7100',
    'pnpm start:mempool -- --max-txs 100000 --verify-threads 3',
  ],
};

/** `--spec`: a built-in name or a JSON file (which may `extends` a built-in), of a chain with txs. */
export function readSpec(value: string): ChainSpec {
  const spec = readSpecFlag(value, (message) => new UsageError(message));
  const level = describeLevel(spec);
  if (!level.features.accounts) {
    throw new UsageError(
      `--spec ${value}: the mempool serves chains with txs (level 2 or 3); ${spec.name} is level ${level.number} (${level.name}: data items go to a node's POST /data)`,
    );
  }
  return spec;
}
