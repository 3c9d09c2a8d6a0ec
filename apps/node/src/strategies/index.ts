// Mining strategies beside the honest miner: `--strategy selfish` and `--strategy
// double-spend` (docs/experiments.md). Attacks are for experiments: they are refused on a
// chain that is not a devnet, and honest mining stays the default.
import { parseAddress, privateKeyToAddress, type TransferTx } from '@chainlab/core';
import { LedgerLevel, type ChainLevel } from '@chainlab/levels';
import { UsageError, type Logger } from '@chainlab/service';
import type { ChainService } from '@chainlab/sync';
import { DoubleSpendMining } from './double-spend.js';
import { SelfishMining } from './selfish.js';
import type { MiningStrategy, Publish } from './types.js';

export type { MiningStrategy, Publish } from './types.js';

export const STRATEGY_NAMES = ['honest', 'selfish', 'double-spend'] as const;

export interface StrategyFlags {
  strategy: string;
  victim: string | undefined;
  confirmations: number;
  giveUpBehind: number;
}

/** Checks the flags against the chain before anything starts; throws a UsageError. */
export function checkStrategyFlags(flags: StrategyFlags, level: ChainLevel): void {
  const spec = level.spec;
  if (!(STRATEGY_NAMES as readonly string[]).includes(flags.strategy))
    throw new UsageError(
      `--strategy ${flags.strategy}: unknown (expected ${STRATEGY_NAMES.join(', ')})`,
    );
  if (flags.strategy === 'honest') return;
  if (!spec.devnet)
    throw new UsageError(
      `--strategy ${flags.strategy} is an attack for experiments: refused on ${spec.name}, which is not a devnet`,
    );
  if (flags.strategy === 'selfish' && level.name === 'contracts')
    throw new UsageError('--strategy selfish runs on level-1 and level-2 chains');
  if (flags.strategy === 'double-spend') {
    if (!(level instanceof LedgerLevel))
      throw new UsageError('--strategy double-spend needs a level-2 chain (transfers)');
    if (spec.devKeys.length < 3)
      throw new UsageError('--strategy double-spend pays from dev account 1: the spec has none');
  }
}

export function createStrategy(
  flags: StrategyFlags,
  deps: {
    service: ChainService;
    level: ChainLevel;
    publish: Publish;
    relayTx: (tx: TransferTx) => void;
    coinbase: string | undefined;
    mempoolUrl: string | undefined;
    log: Logger;
  },
): MiningStrategy | undefined {
  const spec = deps.service.spec;
  switch (flags.strategy) {
    case 'selfish':
      return new SelfishMining(deps.service, deps.publish, deps.coinbase, deps.log);
    case 'double-spend': {
      if (!(deps.level instanceof LedgerLevel)) throw new Error('checkStrategyFlags lets it pass');
      let victim: string;
      try {
        victim = parseAddress(flags.victim ?? privateKeyToAddress(spec.devKeys[2]!));
      } catch {
        throw new UsageError(`--victim ${flags.victim}: not a valid address (EIP-55 checksum)`);
      }
      return new DoubleSpendMining(
        deps.service,
        deps.level.machine.state,
        deps.publish,
        deps.relayTx,
        {
          payerKey: spec.devKeys[1]!,
          victim,
          amount: 10n ** BigInt(spec.coin.decimals),
          confirmations: flags.confirmations,
          giveUpBehind: flags.giveUpBehind,
          mempoolUrl: deps.mempoolUrl,
          coinbase: deps.coinbase!,
        },
        deps.log,
      );
    }
    default:
      return undefined;
  }
}
