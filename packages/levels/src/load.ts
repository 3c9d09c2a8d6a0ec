// The one place a chain spec's level number becomes behaviour, the way ethereumjs picks a
// consensus engine from the chain's config: every service calls loadChainLevel once at
// start and passes the ChainLevel on. The contracts level is imported dynamically, so a
// level-1 or level-2 process never loads the EVM (test/level-modules.e2e.test.ts checks it).
import type { ChainSpec, SignatureCache } from '@chainlab/core';
import type { ChainLevel } from './chain-level.js';
import { DataLevel } from './data.js';
import { describeLevel } from './describe.js';
import { LedgerLevel } from './ledger.js';

export interface LoadLevelOptions {
  /** The signature cache the level's machine and the service share (its backend is the service's choice). */
  sigCache: SignatureCache;
}

export async function loadChainLevel(
  spec: ChainSpec,
  options: LoadLevelOptions,
): Promise<ChainLevel> {
  switch (describeLevel(spec).name) {
    case 'data':
      return new DataLevel(spec, options.sigCache);
    case 'ledger':
      return new LedgerLevel(spec, options.sigCache);
    case 'contracts': {
      const { ContractsLevel } = await import('./contracts/level.js');
      return new ContractsLevel(spec, options.sigCache);
    }
  }
}
