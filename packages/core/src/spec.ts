// Chain specs: which level a chain runs at and every consensus parameter. A spec is either
// built in (devnet, devnet-data, devnet-contracts) or a JSON object that may `extends` one
// and override fields. loadSpec validates every field and says which one is wrong.
import { bitsToTarget } from './pow.js';
import { privateKeyToAddress, parseAddress } from './address.js';
import { sha256 } from './hash.js';
import { toHex, utf8 } from './bytes.js';
import type { LevelNumber, ChainSpec, RetargetRule } from './types.js';

export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`chain spec: ${field}: ${message}`);
  }
}

const COIN_DECIMALS = 18;
const COIN = 10n ** BigInt(COIN_DECIMALS);
export const DEV_ACCOUNT_COUNT = 10;

/**
 * Dev account keys are derived from public strings, like Hardhat's well-known mnemonic:
 * anyone can spend them, which is the point on a devnet and fatal anywhere else.
 */
export function devPrivateKey(index: number): string {
  return toHex(sha256(utf8(`chainlab devnet account ${index}`)));
}

function devnetBase(): ChainSpec {
  const devKeys = Array.from({ length: DEV_ACCOUNT_COUNT }, (_, i) => devPrivateKey(i));
  const allocations: Record<string, bigint> = {};
  for (const key of devKeys) allocations[privateKeyToAddress(key)] = 10_000n * COIN;
  return {
    name: 'devnet',
    chainId: 1337,
    level: 2,
    devnet: true,
    coin: { symbol: 'CLC', decimals: COIN_DECIMALS },
    // About 11 million hashes a block: ~1-2 s for a 3-node devnet on two cores (LWMA adapts).
    genesis: { version: 1, time: 1767225600, bits: 0x1e018673, nonce: 0, data: [], allocations },
    targetBlockTimeSeconds: 2,
    retarget: { rule: 'lwma', windowBlocks: 30 },
    powLimitBits: 0x207fffff,
    blockReward: 50n * COIN,
    halvingIntervalBlocks: 210_000,
    maxBlockBytes: 1_000_000,
    maxDataItemBytes: 4096,
    maxFutureDriftSeconds: 7200,
    maxAmount: 21_000_000n * COIN,
    minFee: 10n ** 12n,
    blockGasLimit: 30_000_000n,
    devKeys,
  };
}

export const BUILTIN_SPEC_NAMES = ['devnet', 'devnet-data', 'devnet-contracts'] as const;

export function builtinSpec(name: string): ChainSpec | undefined {
  const base = devnetBase();
  switch (name) {
    case 'devnet':
      return base;
    case 'devnet-data':
      return {
        ...base,
        name,
        chainId: 1338,
        level: 1,
        genesis: { ...base.genesis, data: ['chainlab devnet-data genesis'], allocations: {} },
        devKeys: [],
      };
    case 'devnet-contracts':
      return { ...base, name, chainId: 1339, level: 3 };
    default:
      return undefined;
  }
}

// ---- field readers: each names the field it rejects ----

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SpecError(field, `must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function amount(v: unknown, field: string): bigint {
  if (typeof v === 'bigint' && v >= 0n) return v;
  if (typeof v === 'string' && /^(0|[1-9][0-9]*)$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new SpecError(
    field,
    `must be a non-negative integer as a decimal string, got ${JSON.stringify(v)}`,
  );
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0)
    throw new SpecError(field, 'must be a non-empty string');
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new SpecError(field, 'must be true or false');
  return v;
}

function bits(v: unknown, field: string): number {
  const n = typeof v === 'string' && /^0x[0-9a-fA-F]{1,8}$/.test(v) ? Number.parseInt(v, 16) : v;
  const b = int(n, field, 0, 0xffffffff);
  try {
    bitsToTarget(b);
  } catch (e) {
    throw new SpecError(field, (e as Error).message);
  }
  return b;
}

function retarget(v: unknown, field: string): RetargetRule {
  if (!isObject(v))
    throw new SpecError(field, 'must be an object like {"rule": "lwma", "windowBlocks": 30}');
  switch (v.rule) {
    case 'fixed':
      return { rule: 'fixed' };
    case 'bitcoin':
    case 'lwma':
      return {
        rule: v.rule,
        windowBlocks: int(v.windowBlocks, `${field}.windowBlocks`, 1, 100_000),
      };
    default:
      throw new SpecError(
        `${field}.rule`,
        `must be one of fixed, bitcoin, lwma, got ${JSON.stringify(v.rule)}`,
      );
  }
}

const KNOWN_FIELDS = new Set([
  'extends',
  'name',
  'chainId',
  'level',
  'devnet',
  'coin',
  'genesis',
  'targetBlockTimeSeconds',
  'retarget',
  'powLimitBits',
  'blockReward',
  'halvingIntervalBlocks',
  'maxBlockBytes',
  'maxDataItemBytes',
  'maxFutureDriftSeconds',
  'maxAmount',
  'minFee',
  'blockGasLimit',
  'devKeys',
]);

/**
 * A chain spec from a built-in name or a parsed JSON object (reading files is the caller's
 * job: core does no I/O). JSON may `extends` a built-in and override any field.
 */
export function loadSpec(input: string | unknown): ChainSpec {
  if (typeof input === 'string') {
    const spec = builtinSpec(input);
    if (!spec)
      throw new SpecError(
        'name',
        `unknown built-in spec ${JSON.stringify(input)} (built in: ${BUILTIN_SPEC_NAMES.join(', ')})`,
      );
    return spec;
  }
  if (!isObject(input)) throw new SpecError('(root)', 'must be a JSON object');
  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(key)) throw new SpecError(key, 'unknown field');
  }
  let base: ChainSpec | undefined;
  if (input.extends !== undefined) {
    base = builtinSpec(str(input.extends, 'extends'));
    if (!base)
      throw new SpecError('extends', `unknown built-in spec ${JSON.stringify(input.extends)}`);
  }
  const pick = <K extends keyof ChainSpec>(key: K): unknown =>
    input[key] !== undefined ? input[key] : base?.[key];
  const required = (key: keyof ChainSpec): unknown => {
    const v = pick(key);
    if (v === undefined) throw new SpecError(key, 'is required');
    return v;
  };

  const level = int(required('level'), 'level', 1, 3) as LevelNumber;
  const coinIn = required('coin');
  if (!isObject(coinIn)) throw new SpecError('coin', 'must be {"symbol", "decimals"}');
  const genesisIn = required('genesis');
  if (!isObject(genesisIn)) throw new SpecError('genesis', 'must be an object');
  const baseGenesis = base?.genesis;
  const g = (key: string): unknown =>
    genesisIn[key] !== undefined ? genesisIn[key] : (baseGenesis as Json | undefined)?.[key];

  const dataIn = g('data') ?? [];
  if (!Array.isArray(dataIn) || dataIn.some((d) => typeof d !== 'string'))
    throw new SpecError('genesis.data', 'must be an array of strings');
  const allocIn = g('allocations') ?? {};
  if (!isObject(allocIn))
    throw new SpecError('genesis.allocations', 'must map addresses to amounts');
  const allocations: Record<string, bigint> = {};
  for (const [address, value] of Object.entries(allocIn)) {
    let checksummed: string;
    try {
      checksummed = parseAddress(address);
    } catch {
      throw new SpecError(`genesis.allocations.${address}`, 'is not a valid address');
    }
    allocations[checksummed] = amount(value, `genesis.allocations.${address}`);
  }

  const devKeysIn = pick('devKeys') ?? [];
  if (
    !Array.isArray(devKeysIn) ||
    devKeysIn.some((k) => typeof k !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(k))
  ) {
    throw new SpecError('devKeys', 'must be an array of 0x-prefixed 32-byte private keys');
  }

  const spec: ChainSpec = {
    name: str(required('name'), 'name'),
    chainId: int(required('chainId'), 'chainId', 1, 0xffffffff),
    level,
    devnet: bool(pick('devnet') ?? false, 'devnet'),
    coin: {
      symbol: str(coinIn.symbol, 'coin.symbol'),
      decimals: int(coinIn.decimals, 'coin.decimals', 0, 30),
    },
    genesis: {
      version: int(g('version') ?? 1, 'genesis.version', 0, 0xffffffff),
      time: int(g('time'), 'genesis.time', 0, 0xffffffff),
      bits: bits(g('bits'), 'genesis.bits'),
      nonce: int(g('nonce') ?? 0, 'genesis.nonce', 0, 0xffffffff),
      data: dataIn as string[],
      allocations,
    },
    targetBlockTimeSeconds: int(
      required('targetBlockTimeSeconds'),
      'targetBlockTimeSeconds',
      1,
      86_400,
    ),
    retarget: retarget(required('retarget'), 'retarget'),
    powLimitBits: bits(required('powLimitBits'), 'powLimitBits'),
    blockReward: amount(required('blockReward'), 'blockReward'),
    halvingIntervalBlocks: int(
      pick('halvingIntervalBlocks') ?? 0,
      'halvingIntervalBlocks',
      0,
      0xffffffff,
    ),
    maxBlockBytes: int(required('maxBlockBytes'), 'maxBlockBytes', 1000, 64 * 1024 * 1024),
    maxDataItemBytes: int(pick('maxDataItemBytes') ?? 4096, 'maxDataItemBytes', 1, 1024 * 1024),
    maxFutureDriftSeconds: int(
      pick('maxFutureDriftSeconds') ?? 7200,
      'maxFutureDriftSeconds',
      0,
      86_400 * 365,
    ),
    maxAmount: amount(pick('maxAmount') ?? (1n << 128n) - 1n, 'maxAmount'),
    minFee: amount(pick('minFee') ?? 0n, 'minFee'),
    blockGasLimit: amount(pick('blockGasLimit') ?? 30_000_000n, 'blockGasLimit'),
    devKeys: devKeysIn as string[],
  };
  if (bitsToTarget(spec.genesis.bits) > bitsToTarget(spec.powLimitBits)) {
    throw new SpecError('genesis.bits', 'is easier than powLimitBits');
  }
  if (spec.maxAmount < 1n || spec.maxAmount >= 1n << 128n)
    throw new SpecError('maxAmount', 'must be in 1..2^128-1');
  if (level === 1 && Object.keys(allocations).length > 0)
    throw new SpecError('genesis.allocations', 'level 1 chains have no balances');
  if (level >= 2 && spec.genesis.data.length > 0)
    throw new SpecError('genesis.data', 'only level 1 chains carry data items');
  return spec;
}

/** The JSON form of a spec (bigints as decimal strings), accepted back by loadSpec. */
export function specToJson(spec: ChainSpec): Json {
  const allocations: Record<string, string> = {};
  for (const [a, v] of Object.entries(spec.genesis.allocations)) allocations[a] = v.toString();
  return {
    ...spec,
    genesis: { ...spec.genesis, allocations },
    blockReward: spec.blockReward.toString(),
    maxAmount: spec.maxAmount.toString(),
    minFee: spec.minFee.toString(),
    blockGasLimit: spec.blockGasLimit.toString(),
  };
}
