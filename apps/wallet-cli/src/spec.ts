// --spec: a built-in chain spec name (devnet, devnet-data, devnet-contracts) or a JSON file,
// read the way the node reads it so the wallet signs for the chain the node runs.
import { readFileSync } from 'node:fs';
import { BUILTIN_SPEC_NAMES, loadSpec, SpecError, type ChainSpec } from '@chainlab/core';
import { UsageError, WalletError } from './errors.js';

export function isSpecPath(value: string): boolean {
  return value.endsWith('.json') || value.includes('/') || value.includes('\\');
}

/** Loads --spec; an unknown name, unreadable file or invalid spec is a UsageError (exit 2). */
export function readSpec(value: string): ChainSpec {
  try {
    if (!isSpecPath(value)) return loadSpec(value);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(value, 'utf8'));
    } catch (e) {
      throw new UsageError(`--spec ${value}: ${(e as Error).message}`, 'BAD_SPEC');
    }
    return loadSpec(json);
  } catch (e) {
    if (e instanceof SpecError) {
      const hint =
        isSpecPath(value) || e.message.includes('built in')
          ? ''
          : ` (built in: ${BUILTIN_SPEC_NAMES.join(', ')}, or a path to a .json file)`;
      throw new UsageError(
        `--spec ${value}: ${e.message.replace(/^chain spec: /, '')}${hint}`,
        'BAD_SPEC',
      );
    }
    throw e;
  }
}

/** Balances and transfers exist from level 2 on. */
export function requireLedger(spec: ChainSpec, what: string): void {
  if (spec.level < 2) {
    throw new WalletError(
      'WRONG_LEVEL',
      `${what}: the chain spec ${spec.name} is level ${spec.level} (data only): it has no balances or transfers`,
    );
  }
}
