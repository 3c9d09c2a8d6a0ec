// --spec, as every command reads it: a built-in chain spec name (devnet, devnet-data,
// devnet-contracts…) or a JSON file (which may `extends` a built-in). Node, mempool,
// wallet and explorer read it the same way, so they agree on the chain. Light on purpose
// (core only, also as @chainlab/levels/spec-flag): the wallet loads it on every command.
import { readFileSync } from 'node:fs';
import { BUILTIN_SPEC_NAMES, loadSpec, SpecError, type ChainSpec } from '@chainlab/core';

/** A --spec value that names no usable spec; a command exits with its usage code (2). */
export class SpecFlagError extends Error {
  override readonly name = 'SpecFlagError';
  readonly exitCode = 2;
}

/** A value naming a file rather than a built-in spec. */
export function isSpecPath(value: string): boolean {
  return value.endsWith('.json') || value.includes('/') || value.includes('\\');
}

/**
 * Loads --spec. An unknown name, an unreadable file or an invalid spec throws
 * `usageError(message)` (by default a SpecFlagError; a service passes its UsageError, the
 * wallet its own), the message naming the value (and, for a mistyped name, the built-ins).
 */
export function readSpecFlag(
  value: string,
  usageError: (message: string) => Error = (message) => new SpecFlagError(message),
): ChainSpec {
  try {
    if (!isSpecPath(value)) return loadSpec(value);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(value, 'utf8'));
    } catch (e) {
      throw usageError(`--spec ${value}: ${(e as Error).message}`);
    }
    return loadSpec(json);
  } catch (e) {
    if (e instanceof SpecError) {
      const hint =
        isSpecPath(value) || e.message.includes('built in')
          ? ''
          : ` (built in: ${BUILTIN_SPEC_NAMES.join(', ')}, or a path to a .json file)`;
      throw usageError(`--spec ${value}: ${e.message.replace(/^chain spec: /, '')}${hint}`);
    }
    throw e;
  }
}
