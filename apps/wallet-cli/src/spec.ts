// --spec: a built-in chain spec name (devnet, devnet-data, devnet-contracts) or a JSON file,
// read the way the node reads it so the wallet signs for the chain the node runs.
import type { ChainSpec } from '@chainlab/core';
import { describeLevel } from '@chainlab/levels/describe';
import { isSpecPath, readSpecFlag } from '@chainlab/levels/spec-flag';
import { UsageError, WalletError } from './errors.js';

export { isSpecPath };

/** Loads --spec; an unknown name, unreadable file or invalid spec is a UsageError (exit 2). */
export function readSpec(value: string): ChainSpec {
  return readSpecFlag(value, (message) => new UsageError(message, 'BAD_SPEC'));
}

/** Balances and transfers exist on chains whose level has accounts (2 and 3). */
export function requireLedger(spec: ChainSpec, what: string): void {
  const level = describeLevel(spec);
  if (!level.features.accounts) {
    throw new WalletError(
      'WRONG_LEVEL',
      `${what}: the chain spec ${spec.name} is level ${level.number} (${level.name} only): it has no balances or transfers`,
    );
  }
}
