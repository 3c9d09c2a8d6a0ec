// JSON-RPC param readers: each failure is -32602 with a message naming the param, as geth
// words it ("invalid argument <name>: ...").
import { parseAddress } from '@chainlab/core';
import { invalidParam } from './errors.js';

export type Params = unknown[];

export function param(params: Params, i: number): unknown {
  return params[i];
}

export function hexQuantity(v: unknown, name: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(v))
    throw invalidParam(name, 'expected a 0x-prefixed hex quantity');
  return BigInt(v);
}

export function hexData(v: unknown, name: string): string {
  if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(v))
    throw invalidParam(name, 'expected 0x-prefixed hex data with an even number of digits');
  return v.toLowerCase();
}

export function hash32(v: unknown, name: string): string {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(v))
    throw invalidParam(name, 'expected a 32-byte hash (0x + 64 hex digits)');
  return v.toLowerCase();
}

export function address(v: unknown, name: string): string {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(v))
    throw invalidParam(name, 'expected a 20-byte address (0x + 40 hex digits)');
  try {
    return parseAddress(v);
  } catch {
    // Ethereum tools accept any case; only a mixed-case string is checksummed.
    return parseAddress(v.toLowerCase());
  }
}

export function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw invalidParam(name, 'expected true or false');
  return v;
}
