// Level-3 helpers for the Ethereum JSON-RPC e2e tests: a devnet-contracts network (tracker,
// mempool, nodes that mine on request), viem clients on a node's /rpc, JSON-RPC calls,
// waiting for a receipt, and Foundry's cast where it can run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Chain,
  type HttpTransport,
  type PublicClient,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { loadSpec } from '@chainlab/core';
import { mineBlocks, startMempool, startNode, writeSpec } from './chain.js';
import { waitFor } from './poll.js';
import { REPO_ROOT, spawnService, type ServiceProcess } from './service.js';

/** devnet-contracts' chain id (what MetaMask and cast see). */
export const CHAIN_ID = 1339;

export interface Level3Net {
  specPath: string;
  /** The spec's dev keys (funded at genesis). */
  keys: `0x${string}`[];
  tracker: ServiceProcess;
  mempool: ServiceProcess;
  /** Nodes that mine only on POST /dev/mine, all on the tracker and the mempool. */
  nodes: (ServiceProcess & { dataDir: string })[];
}

/**
 * A tracker, a mempool and `count` nodes on an instant-difficulty devnet-contracts chain:
 * a new one named `name`, or the one in `specPath` (a second network on the same chain).
 */
export async function startLevel3Net(
  chain: { name: string } | { specPath: string },
  count: number,
): Promise<Level3Net> {
  const specPath =
    'specPath' in chain
      ? chain.specPath
      : writeSpec('instant', 'devnet-contracts', { name: chain.name });
  const keys = loadSpec(JSON.parse(readFileSync(specPath, 'utf8'))).devKeys as `0x${string}`[];
  const tracker = await spawnService('tracker', ['--ttl', '10']);
  const mempool = await startMempool({ spec: specPath, tracker: tracker.url });
  const common = { spec: specPath, tracker: tracker.url, mempool: mempool.url, mine: false };
  const nodes = [];
  for (let i = 0; i < count; i++) nodes.push(await startNode(common));
  return { specPath, keys, tracker, mempool, nodes };
}

export type RpcAnswer = {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
};

/** One JSON-RPC call on the node's /rpc: the whole answer (result or error). */
export async function ethRpc(
  node: { url: string },
  method: string,
  params: unknown[] = [],
): Promise<RpcAnswer> {
  const res = await fetch(`${node.url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()) as RpcAnswer;
}

/** One JSON-RPC call; its result, or a throw with the error's message. */
export async function ethResult(
  node: { url: string },
  method: string,
  params: unknown[] = [],
): Promise<unknown> {
  const a = await ethRpc(node, method, params);
  if (a.error) throw new Error(`${method}: ${a.error.message}`);
  return a.result;
}

export interface ViemClients {
  account: PrivateKeyAccount;
  wallet: WalletClient<HttpTransport, Chain, PrivateKeyAccount>;
  client: PublicClient<HttpTransport, Chain>;
}

/** viem's wallet and public clients for `key` on the node's /rpc. */
export function viemFor(node: { url: string }, key: string, name = 'chainlab'): ViemClients {
  const chain = defineChain({
    id: CHAIN_ID,
    name,
    nativeCurrency: { name: 'CLC', symbol: 'CLC', decimals: 18 },
    rpcUrls: { default: { http: [`${node.url}/rpc`] } },
  });
  const account = privateKeyToAccount(key as `0x${string}`);
  return {
    account,
    wallet: createWalletClient({ account, chain, transport: http() }),
    client: createPublicClient({ chain, transport: http() }),
  };
}

/** Mines on `node`, a block at a time, until the tx has a receipt there. */
export async function minedOn(node: { url: string }, hash: string) {
  return waitFor(
    async () => {
      await mineBlocks(node, 1);
      return (
        ((await ethResult(node, 'eth_getTransactionReceipt', [hash])) as {
          blockHash: string;
          blockNumber: string;
          contractAddress: `0x${string}` | null;
        } | null) ?? false
      );
    },
    { timeoutMs: 90_000, intervalMs: 200, message: `${hash} mined` },
  );
}

/**
 * The contract both JSON-RPC files deploy: a stored value, an event, a custom error
 * (TooBig, above 100) and a reason string ("unlucky number", for 13).
 */
export const BOX_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Box {
  error TooBig(uint256 value, uint256 max);
  event Stored(address indexed by, uint256 value);
  uint256 public value;
  function store(uint256 v) external {
    if (v > 100) revert TooBig(v, 100);
    require(v != 13, "unlucky number");
    value = v;
    emit Stored(msg.sender, v);
  }
}`;

// Foundry's cast, from npm (@foundry-rs/cast-linux-amd64): Linux x64 only.
const CAST = path.join(REPO_ROOT, 'node_modules/@foundry-rs/cast-linux-amd64/bin/cast');

/** Whether cast can run here; says so on the console when it cannot. */
export function castAvailable(): boolean {
  const ok = process.platform === 'linux' && process.arch === 'x64' && existsSync(CAST);
  if (!ok) console.warn('cast checks skipped: @foundry-rs/cast-linux-amd64 runs on Linux x64 only');
  return ok;
}

/** `cast <args> --rpc-url <node>/rpc`, its trimmed output. */
export function cast(node: { url: string }, ...args: string[]): string {
  return execFileSync(CAST, [...args, '--rpc-url', `${node.url}/rpc`], {
    encoding: 'utf8',
  }).trim();
}
