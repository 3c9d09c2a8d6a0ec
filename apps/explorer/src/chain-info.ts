// What the explorer knows about the chain it shows: the spec when it can find it (coin
// symbol and decimals, pow limit, block time), else what the nodes say (chainId, level).
import { BUILTIN_SPEC_NAMES, builtinSpec, type ChainSpec } from '@chainlab/core';
import { readSpecFlag } from '@chainlab/levels/spec-flag';

export interface ChainInfo {
  chainId: number | null;
  specName: string | null;
  level: number | null;
  coin: { symbol: string; decimals: number };
  powLimitBits: number | undefined;
  targetBlockTimeSeconds: number | null;
  /** The spec says devnet (the nodes' /dev routes are probed separately). */
  devnetSpec: boolean | null;
  /** Where the spec came from: `--spec`, the nodes' spec name, a built-in with the same chainId, or none. */
  specSource: 'flag' | 'node' | 'builtin-chain-id' | 'none';
}

/** --spec read as every command reads it; null when it names no usable spec. */
function tryLoad(value: string): ChainSpec | null {
  try {
    return readSpecFlag(value);
  } catch {
    return null;
  }
}

/**
 * `flagSpec` is --spec (a name or a JSON file); `chainId`, `nodeSpecName` and `nodeLevel`
 * come from a node's /status. The flag wins when its chainId matches the nodes'.
 */
export function resolveChainInfo(
  flagSpec: string,
  chainId: number | null,
  nodeSpecName: string | undefined,
  nodeLevel: number | undefined,
): ChainInfo {
  const fromSpec = (spec: ChainSpec, source: ChainInfo['specSource']): ChainInfo => ({
    chainId: spec.chainId,
    specName: source === 'builtin-chain-id' ? (nodeSpecName ?? spec.name) : spec.name,
    level: spec.level,
    coin: spec.coin,
    powLimitBits: spec.powLimitBits,
    targetBlockTimeSeconds: spec.targetBlockTimeSeconds,
    devnetSpec: spec.devnet,
    specSource: source,
  });
  const flag = tryLoad(flagSpec);
  if (flag && (chainId === null || flag.chainId === chainId)) return fromSpec(flag, 'flag');
  if (chainId === null) {
    return {
      chainId,
      specName: null,
      level: null,
      coin: { symbol: 'coins', decimals: 18 },
      powLimitBits: undefined,
      targetBlockTimeSeconds: null,
      devnetSpec: null,
      specSource: 'none',
    };
  }
  const named = nodeSpecName ? builtinSpec(nodeSpecName) : undefined;
  if (named && named.chainId === chainId) return fromSpec(named, 'node');
  for (const name of BUILTIN_SPEC_NAMES) {
    const spec = builtinSpec(name)!;
    if (spec.chainId === chainId && (nodeLevel === undefined || spec.level === nodeLevel))
      return fromSpec(spec, 'builtin-chain-id');
  }
  return {
    chainId,
    specName: nodeSpecName ?? null,
    level: nodeLevel ?? null,
    coin: { symbol: 'coins', decimals: 18 },
    powLimitBits: undefined,
    targetBlockTimeSeconds: null,
    devnetSpec: null,
    specSource: 'none',
  };
}
