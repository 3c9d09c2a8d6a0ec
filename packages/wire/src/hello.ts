// `hello`: the first message both ways. It says which chain the sender follows, how much
// work its tip has (a peer behind us gets a getblocks from us), where to reach it, and
// which optional encodings it understands.
import { isHex } from '@chainlab/core';
import { WireError } from './errors.js';

/**
 * Capability: "send me `blocks` answers as binary frames" (docs/protocol.md §10). A peer
 * that does not list it gets JSON, exactly as before the binary encoding existed.
 */
export const CAPABILITY_BINARY_BLOCKS = 'binary-blocks';
/** Capabilities this implementation understands, in the order it lists them. */
export const KNOWN_CAPABILITIES = [CAPABILITY_BINARY_BLOCKS] as const;
const MAX_CAPABILITIES = 32;
const MAX_CAPABILITY_LENGTH = 64;

export interface HelloMessage {
  type: 'hello';
  chainId: number;
  height: number;
  /** Display hash of the sender's tip. */
  tip: string;
  /** The tip's cumulative work, 0x hex. */
  chainwork: string;
  /** Where the sender listens (null: it takes no connections, e.g. the explorer). */
  url?: string | null;
  /** Optional features; absent means none (a plain JSON peer). */
  capabilities?: string[];
}

export function helloMessage(fields: Omit<HelloMessage, 'type'>): HelloMessage {
  return { type: 'hello', ...fields };
}

/**
 * Checks a received hello. Only what a node acts on must be right: the chain id (another
 * chain is refused), the chainwork (compared with ours) and, when present, the types of
 * the other fields. Unknown capabilities are ignored (a newer peer may list more).
 */
export function parseHello(raw: Record<string, unknown>): HelloMessage {
  const { chainId, height, tip, chainwork, url, capabilities } = raw;
  if (typeof chainId !== 'number' || !Number.isSafeInteger(chainId))
    throw new WireError('hello: chainId must be an integer');
  if (typeof chainwork !== 'string' || parseChainwork(chainwork) === null)
    throw new WireError('bad chainwork in hello');
  if (height !== undefined && (typeof height !== 'number' || !Number.isSafeInteger(height)))
    throw new WireError('hello: height must be an integer');
  if (tip !== undefined && !isHex(tip, 32)) throw new WireError('hello: tip must be a block hash');
  if (url !== undefined && url !== null && typeof url !== 'string')
    throw new WireError('hello: url must be a string or null');
  if (
    capabilities !== undefined &&
    (!Array.isArray(capabilities) ||
      capabilities.length > MAX_CAPABILITIES ||
      capabilities.some((c) => typeof c !== 'string' || c.length > MAX_CAPABILITY_LENGTH))
  )
    throw new WireError('hello: capabilities must be a short list of strings');
  return {
    type: 'hello',
    chainId,
    height: (height as number | undefined) ?? 0,
    tip: typeof tip === 'string' ? tip.toLowerCase() : '',
    chainwork,
    ...(url === undefined ? {} : { url: url as string | null }),
    ...(capabilities === undefined ? {} : { capabilities: capabilities as string[] }),
  };
}

/** The chainwork of a hello as a number; null when it is not a non-negative integer. */
export function parseChainwork(chainwork: string): bigint | null {
  try {
    const work = BigInt(chainwork);
    return work >= 0n ? work : null;
  } catch {
    return null;
  }
}

export function hasCapability(hello: HelloMessage | null, capability: string): boolean {
  return hello?.capabilities?.includes(capability) ?? false;
}
