// ABI helpers for the wallet's deploy / call / send-call (docs/wallet.md), on viem: a function
// given as a human signature "name(types)(returnTypes)", arguments given as command-line
// strings, results and events decoded for display.
import {
  decodeErrorResult,
  decodeEventLog,
  decodeFunctionResult,
  encodeDeployData,
  encodeFunctionData,
  parseAbiItem,
  type Abi,
  type AbiFunction,
  type AbiParameter,
} from 'viem';
import { decodeRevertReason } from './revert.js';
import type { Log } from './types.js';

/**
 * "transfer(address,uint256)" or "balanceOf(address)(uint256)" (docs/wallet.md: the second
 * parenthesis lists return types) → a viem AbiFunction. Parameter names are optional.
 */
export function parseFunctionSignature(signature: string): AbiFunction {
  const m =
    /^\s*([A-Za-z_$][A-Za-z0-9_$]*)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*(?:\((.*)\))?\s*$/.exec(
      signature,
    );
  if (!m) throw new Error(`not a function signature like "name(types)(returnTypes)": ${signature}`);
  const [, name, params, returns] = m;
  const text =
    `function ${name}(${params}) ${returns !== undefined && returns.trim() !== '' ? `returns (${returns})` : ''}`.trim();
  const item = parseAbiItem(text) as AbiFunction;
  if (item.type !== 'function') throw new Error(`not a function: ${signature}`);
  return item;
}

/** A command-line string (or an already typed value) as the ABI type wants it. */
export function coerceArg(param: AbiParameter, value: unknown): unknown {
  const type = param.type;
  if (type.endsWith(']')) {
    const list = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
    if (!Array.isArray(list)) throw new Error(`${type} argument must be a JSON array`);
    const inner = { ...param, type: type.slice(0, type.lastIndexOf('[')) } as AbiParameter;
    return list.map((v) => coerceArg(inner, v));
  }
  if (type === 'tuple') {
    const components = (param as { components?: readonly AbiParameter[] }).components ?? [];
    const list = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
    if (!Array.isArray(list) || list.length !== components.length)
      throw new Error(`tuple argument must be a JSON array of ${components.length}`);
    return list.map((v, i) => coerceArg(components[i]!, v));
  }
  if (/^u?int\d*$/.test(type)) {
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
    if (typeof value === 'string' && /^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) {
      return value.startsWith('-') ? -BigInt(value.slice(1)) : BigInt(value);
    }
    throw new Error(`${type} argument must be an integer, got ${String(value)}`);
  }
  if (type === 'bool') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new Error(`bool argument must be true or false, got ${String(value)}`);
  }
  return value; // address, bytes, bytesN, string: viem validates them
}

/** Calldata for `signature` with `args` (strings from a command line, or typed values). */
export function encodeCall(signature: string, args: readonly unknown[] = []): string {
  const fn = parseFunctionSignature(signature);
  if (args.length !== fn.inputs.length)
    throw new Error(`${fn.name} takes ${fn.inputs.length} argument(s), got ${args.length}`);
  return encodeFunctionData({
    abi: [fn],
    functionName: fn.name,
    args: fn.inputs.map((p, i) => coerceArg(p, args[i])),
  });
}

/** Decodes return data of `signature` (whose return types are in the second parenthesis) as a list. */
export function decodeCallResult(signature: string, data: string): unknown[] {
  const fn = parseFunctionSignature(signature);
  if (fn.outputs.length === 0) return [];
  const value = decodeFunctionResult({
    abi: [fn],
    functionName: fn.name,
    data: data as `0x${string}`,
  });
  return fn.outputs.length === 1 ? [value] : [...(value as readonly unknown[])];
}

/** A deploy tx's data: init code followed by the ABI-encoded constructor arguments. */
export function encodeDeploy(
  contract: { abi: Abi; bytecode: string },
  args: readonly unknown[] = [],
): string {
  const ctor = contract.abi.find((i) => i.type === 'constructor') as
    { inputs: readonly AbiParameter[] } | undefined;
  const inputs = ctor?.inputs ?? [];
  if (args.length !== inputs.length)
    throw new Error(`the constructor takes ${inputs.length} argument(s), got ${args.length}`);
  if (inputs.length === 0) return contract.bytecode;
  return encodeDeployData({
    abi: contract.abi,
    bytecode: contract.bytecode as `0x${string}`,
    args: inputs.map((p, i) => coerceArg(p, args[i])),
  });
}

export interface DecodedLog {
  address: string;
  /** The event's name, when the ABI knows it. */
  eventName?: string;
  args?: unknown;
  topics: string[];
  data: string;
}

/** Names and decodes the logs an ABI knows; the others stay raw. */
export function decodeLogs(abi: Abi, logs: readonly Log[]): DecodedLog[] {
  return logs.map((log) => {
    try {
      const d = decodeEventLog({
        abi,
        data: log.data as `0x${string}`,
        topics: log.topics as [`0x${string}`, ...`0x${string}`[]],
      });
      return { ...log, eventName: d.eventName, args: d.args };
    } catch {
      return { ...log };
    }
  });
}

/** Why a call reverted: Error(string), Panic(uint256), or a custom error of `abi`. */
export function decodeRevert(data: string, abi?: Abi): string | undefined {
  const standard = decodeRevertReason(data);
  if (standard !== undefined || abi === undefined || data.length < 10) return standard;
  try {
    const e = decodeErrorResult({ abi, data: data as `0x${string}` });
    return `${e.errorName}(${(e.args ?? []).map((a) => String(a)).join(', ')})`;
  } catch {
    return undefined;
  }
}
