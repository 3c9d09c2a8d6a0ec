// What each level is, without its machinery: cheap to import (no EVM), so the wallet and the
// services' wiring can ask "does this chain have accounts?" before anything is loaded.
import type { ChainSpec, LevelNumber } from '@chainlab/core';
import type { LevelDescription } from './chain-level.js';

export type { LevelDescription, LevelFeatures, LevelName } from './chain-level.js';

export const DATA_LEVEL: LevelDescription = {
  number: 1,
  name: 'data',
  features: { dataItems: true, accounts: false, contracts: false },
};

export const LEDGER_LEVEL: LevelDescription = {
  number: 2,
  name: 'ledger',
  features: { dataItems: false, accounts: true, contracts: false },
};

export const CONTRACTS_LEVEL: LevelDescription = {
  number: 3,
  name: 'contracts',
  features: { dataItems: false, accounts: true, contracts: true },
};

const BY_NUMBER: Record<LevelNumber, LevelDescription> = {
  1: DATA_LEVEL,
  2: LEDGER_LEVEL,
  3: CONTRACTS_LEVEL,
};

/** The level a chain spec names (loadSpec has already checked it is 1, 2 or 3). */
export function describeLevel(spec: Pick<ChainSpec, 'level'>): LevelDescription {
  const level = BY_NUMBER[spec.level];
  if (!level) throw new Error(`level ${String(spec.level)} chains are not supported`);
  return level;
}
