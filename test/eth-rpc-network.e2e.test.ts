// Ethereum JSON-RPC across a network of level-3 nodes: two synced nodes answer the same
// (and Foundry's cast reads the second one), WebSocket subscriptions (newHeads, logs,
// newPendingTransactions, eth_unsubscribe), ethers deploys and decodes reverts (custom
// error, reason string), and a real reorg — a competing branch mined elsewhere, longer,
// pushed to the node — puts the disconnected txs back to pending and re-delivers their
// logs with removed: true.
import { beforeAll, describe, expect, it } from 'vitest';
import { type Abi } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ContractFactory, JsonRpcProvider, Wallet, isError, type Contract } from 'ethers';
import WebSocket from 'ws';
import { compileSource } from '@chainlab/evm';
import {
  getJson,
  mineBlocks,
  postJson,
  stopServicesAfterAllTests,
  tipOf,
  waitFor,
  waitForSameTip,
  type ServiceProcess,
} from './helpers/index.js';
import {
  BOX_SOURCE,
  cast as castOn,
  castAvailable,
  ethResult as result,
  ethRpc as rpc,
  minedOn,
  startLevel3Net,
  viemFor,
  type RpcAnswer,
} from './helpers/eth.js';

const HAS_CAST = castAvailable();

let specPath: string;
let keys: string[];
let mempool: ServiceProcess;
let nodeA: ServiceProcess;
let nodeB: ServiceProcess;
let box: { abi: Abi; bytecode: string };
let boxAddress: `0x${string}`;
let deployHash: `0x${string}`;

/** A WebSocket JSON-RPC client that keeps every subscription notification. */
class WsClient {
  private nextId = 1;
  private readonly answers = new Map<number, (a: RpcAnswer) => void>();
  readonly notes = new Map<string, unknown[]>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as {
        id?: number;
        method?: string;
        params?: { subscription: string; result: unknown };
      } & RpcAnswer;
      if (m.method === 'eth_subscription' && m.params) {
        const list = this.notes.get(m.params.subscription) ?? [];
        list.push(m.params.result);
        this.notes.set(m.params.subscription, list);
      } else if (typeof m.id === 'number') this.answers.get(m.id)?.(m);
    });
  }
  static open(url: string): Promise<WsClient> {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/rpc');
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
    });
  }
  call(method: string, params: unknown[] = []): Promise<RpcAnswer> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.answers.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }
  of<T>(sub: string): T[] {
    return (this.notes.get(sub) ?? []) as T[];
  }
  close(): void {
    this.ws.close();
  }
}

beforeAll(async () => {
  const net = await startLevel3Net({ name: 'test-rpc-net' }, 2);
  ({ specPath, keys, mempool } = net);
  nodeA = net.nodes[0]!;
  nodeB = net.nodes[1]!;
  box = compileSource(BOX_SOURCE, 'Box') as { abi: Abi; bytecode: string };
  // A Box deployed on A, with one stored value, and both nodes on that tip.
  const { wallet } = viemFor(nodeA, keys[1]!);
  deployHash = await wallet.deployContract({
    abi: box.abi,
    bytecode: box.bytecode as `0x${string}`,
  });
  boxAddress = (await minedOn(nodeA, deployHash)).contractAddress!;
  const store = await wallet.writeContract({
    address: boxAddress,
    abi: box.abi,
    functionName: 'store',
    args: [7n],
  });
  await minedOn(nodeA, store);
  await waitForSameTip([nodeA, nodeB]);
}, 240_000);

stopServicesAfterAllTests();

describe('Ethereum JSON-RPC on a network of level-3 nodes', () => {
  it('two synced nodes answer the same method set; cast reads the second node', async () => {
    const tip = await waitForSameTip([nodeA, nodeB]);
    const someone = privateKeyToAccount(keys[1] as `0x${string}`).address;
    const value = '0x3fa4f245'; // value()
    const calls: [string, unknown[]][] = [
      ['eth_chainId', []],
      ['net_version', []],
      ['eth_blockNumber', []],
      ['eth_getBlockByNumber', ['latest', true]],
      ['eth_getBlockByNumber', ['0x1', false]],
      ['eth_getBlockByHash', [tip.hash, true]],
      ['eth_getBlockTransactionCountByHash', [tip.hash]],
      ['eth_getBlockTransactionCountByNumber', ['latest']],
      ['eth_getTransactionByBlockNumberAndIndex', ['0x1', '0x0']],
      ['eth_getTransactionByBlockHashAndIndex', [tip.hash, '0x0']],
      ['eth_getTransactionByHash', [deployHash]],
      ['eth_getTransactionReceipt', [deployHash]],
      ['eth_getBalance', [someone, 'latest']],
      ['eth_getTransactionCount', [someone, 'latest']],
      ['eth_getTransactionCount', [someone, 'pending']],
      ['eth_getCode', [boxAddress, 'latest']],
      ['eth_getStorageAt', [boxAddress, '0x0', 'latest']],
      ['eth_call', [{ to: boxAddress, data: value }, 'latest']],
      ['eth_estimateGas', [{ from: someone, to: boxAddress, data: value }]],
      ['eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest', address: boxAddress }]],
      ['eth_feeHistory', ['0x4', 'latest', [50]]],
      ['eth_gasPrice', []],
      ['eth_maxPriorityFeePerGas', []],
      ['eth_getUncleCountByBlockHash', [tip.hash]],
      ['eth_syncing', []],
      ['eth_call', [{ to: boxAddress, data: '0x6057361d' + (500).toString(16).padStart(64, '0') }]],
    ];
    for (const [method, params] of calls) {
      const [a, b] = await Promise.all([rpc(nodeA, method, params), rpc(nodeB, method, params)]);
      expect({ method, answer: b }).toEqual({ method, answer: a });
      // Every call in the set answers (the last one with its revert, as both must).
      if (method === 'eth_call' && (params[0] as { data: string }).data !== value)
        expect(a.error?.code).toBe(3);
      else expect(a.error, method).toBeUndefined();
    }
    expect(
      ((await result(nodeB, 'eth_getBlockByNumber', ['latest', false])) as { hash: string }).hash,
    ).toBe(tip.hash);
    if (HAS_CAST) {
      const cast = (...args: string[]) => castOn(nodeB, ...args);
      expect(cast('chain-id')).toBe('1339');
      expect(cast('block-number')).toBe(String(tip.height));
      expect(cast('call', boxAddress, 'value()(uint256)')).toBe('7');
      expect(cast('balance', someone)).toBe(
        BigInt((await result(nodeA, 'eth_getBalance', [someone, 'latest'])) as string).toString(),
      );
      expect(cast('block', 'latest', '--field', 'hash')).toBe(tip.hash);
      const receipt = JSON.parse(cast('receipt', deployHash, '--json')) as {
        contractAddress: string;
        status: string;
      };
      expect(receipt.contractAddress.toLowerCase()).toBe(boxAddress.toLowerCase());
      expect(receipt.status).toBe('0x1');
    }
  }, 120_000);

  it('WebSocket /rpc: newHeads, logs and newPendingTransactions subscriptions; eth_unsubscribe', async () => {
    const ws = await WsClient.open(nodeA.url);
    try {
      // The same methods as over HTTP.
      expect((await ws.call('eth_chainId')).result).toBe('0x53b');
      const heads = (await ws.call('eth_subscribe', ['newHeads'])).result as string;
      const control = (await ws.call('eth_subscribe', ['newHeads'])).result as string;
      const logs = (await ws.call('eth_subscribe', ['logs', { address: boxAddress }]))
        .result as string;
      const pending = (await ws.call('eth_subscribe', ['newPendingTransactions'])).result as string;
      expect(heads).toMatch(/^0x[0-9a-f]+$/);
      expect(new Set([heads, control, logs, pending]).size).toBe(4);
      const bad = await ws.call('eth_subscribe', ['nope']);
      expect(bad.error?.code).toBe(-32602);

      const { wallet } = viemFor(nodeA, keys[1]!);
      const hash = await wallet.writeContract({
        address: boxAddress,
        abi: box.abi,
        functionName: 'store',
        args: [55n],
      });
      await waitFor(() => ws.of<string>(pending).includes(hash), {
        timeoutMs: 30_000,
        message: 'the pending tx notification',
      });
      const receipt = await minedOn(nodeA, hash);
      await waitFor(
        () => ws.of<{ hash: string }>(heads).some((h) => h.hash === receipt.blockHash),
        {
          timeoutMs: 30_000,
          message: 'the newHeads notification',
        },
      );
      const head = ws.of<Record<string, unknown>>(heads).find((h) => h.hash === receipt.blockHash)!;
      expect(head.number).toBe(receipt.blockNumber);
      expect(head.parentHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(head.transactions).toBeUndefined();
      const log = await waitFor(
        () =>
          ws
            .of<{ transactionHash: string; removed: boolean; data: string }>(logs)
            .find((l) => l.transactionHash === hash) ?? false,
        { timeoutMs: 30_000, message: 'the logs notification' },
      );
      expect(log.removed).toBe(false);
      expect(BigInt(log.data)).toBe(55n);

      // Unsubscribed: no more heads there, while the control subscription still gets them.
      expect((await ws.call('eth_unsubscribe', [heads])).result).toBe(true);
      expect((await ws.call('eth_unsubscribe', [heads])).result).toBe(false);
      const before = ws.of(heads).length;
      const [next] = await mineBlocks(nodeA, 1);
      await waitFor(() => ws.of<{ hash: string }>(control).some((h) => h.hash === next), {
        timeoutMs: 30_000,
        message: 'the control subscription sees the next block',
      });
      expect(ws.of(heads).length).toBe(before);
    } finally {
      ws.close();
    }
  }, 180_000);

  it('ethers deploys a contract and decodes a custom error and a reason string', async () => {
    const provider = new JsonRpcProvider(`${nodeA.url}/rpc`, 1339, { staticNetwork: true });
    try {
      const signer = new Wallet(keys[4]!, provider);
      const factory = new ContractFactory(box.abi as never, box.bytecode, signer);
      const deployed = await factory.deploy();
      const tx = deployed.deploymentTransaction()!;
      await minedOn(nodeA, tx.hash);
      const contract = deployed as unknown as Contract;
      expect(await contract.getAddress()).toMatch(/^0x[0-9a-fA-F]{40}$/);
      expect(await contract.getFunction('value').staticCall()).toBe(0n);

      const custom = await contract
        .getFunction('store')
        .staticCall(500n)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(isError(custom, 'CALL_EXCEPTION')).toBe(true);
      if (!isError(custom, 'CALL_EXCEPTION')) throw custom;
      expect(custom.revert?.name).toBe('TooBig');
      expect(custom.revert?.args.map(String)).toEqual(['500', '100']);

      const reason = await contract
        .getFunction('store')
        .staticCall(13n)
        .then(
          () => null,
          (e: unknown) => e,
        );
      if (!isError(reason, 'CALL_EXCEPTION')) throw reason;
      expect(reason.reason).toBe('unlucky number');
      expect(reason.revert?.name).toBe('Error');

      // Sending a reverting tx: ethers estimates gas first and reports the same decoded error.
      const sent = await contract
        .getFunction('store')(13n)
        .then(
          () => null,
          (e: unknown) => e,
        );
      if (!isError(sent, 'CALL_EXCEPTION')) throw sent;
      expect(sent.reason).toBe('unlucky number');
    } finally {
      provider.destroy();
    }
  }, 180_000);

  it('a reorg to a longer branch mined elsewhere: the txs return to pending, logs come back removed: true', async () => {
    // A node of its own (own tracker, own mempool): it gets A's chain as it is now, then
    // mines a longer branch on it while A mines a block holding a store tx.
    const nodeC = (await startLevel3Net({ specPath }, 1)).nodes[0]!;
    const base = await tipOf(nodeA);
    for (let h = 1; h <= base.height; h++) {
      const block = await getJson(`${nodeA.url}/block/${h}`);
      expect((await postJson(`${nodeC.url}/block`, block)).status).toBe(202);
    }
    await waitFor(async () => (await tipOf(nodeC)).hash === base.hash, {
      timeoutMs: 30_000,
      message: 'the spare node on A’s tip',
    });

    const ws = await WsClient.open(nodeA.url);
    try {
      const logsSub = (await ws.call('eth_subscribe', ['logs', { address: boxAddress }]))
        .result as string;
      const filter = (await result(nodeA, 'eth_newFilter', [{ address: boxAddress }])) as string;
      const { wallet } = viemFor(nodeA, keys[5]!);
      const hash = await wallet.writeContract({
        address: boxAddress,
        abi: box.abi,
        functionName: 'store',
        args: [99n],
      });
      const receipt = await minedOn(nodeA, hash);
      await waitFor(async () => (await tipOf(nodeB)).hash === receipt.blockHash, {
        timeoutMs: 60_000,
        message: 'B follows A',
      });
      const first = (await result(nodeA, 'eth_getFilterChanges', [filter])) as {
        removed: boolean;
        transactionHash: string;
      }[];
      expect(first.map((l) => [l.removed, l.transactionHash])).toEqual([[false, hash]]);
      await waitFor(
        async () => {
          const c = (await getJson(`${mempool.url}/confirmations/${hash}`)) as {
            confirmations: number;
          };
          return c.confirmations >= 1;
        },
        { timeoutMs: 60_000, message: 'the mempool sees the tx mined' },
      );

      // The competing branch: from the common base, longer than A's (fixed difficulty: more work).
      const aHeight = (await tipOf(nodeA)).height;
      const branch = await mineBlocks(nodeC, aHeight - base.height + 2);
      for (const blockHash of branch) {
        const block = await getJson(`${nodeC.url}/block/hash/${blockHash}`);
        expect((await postJson(`${nodeA.url}/block`, block)).status).toBe(202);
      }
      await waitFor(async () => (await tipOf(nodeA)).hash === branch.at(-1), {
        timeoutMs: 60_000,
        message: 'A reorganized onto the longer branch',
      });

      // The store tx left the chain: no receipt, pending again (in the mempool and over RPC).
      expect(await result(nodeA, 'eth_getTransactionReceipt', [hash])).toBeNull();
      await waitFor(
        async () => {
          const c = (await getJson(`${mempool.url}/confirmations/${hash}`)) as {
            confirmations: number;
            blockHash: string | null;
          };
          return c.confirmations === 0 && c.blockHash === null;
        },
        { timeoutMs: 60_000, message: 'the mempool has the tx pending again' },
      );
      const tx = (await result(nodeA, 'eth_getTransactionByHash', [hash])) as {
        hash: string;
        blockHash: string | null;
        blockNumber: string | null;
      };
      expect(tx.hash).toBe(hash);
      expect(tx.blockHash).toBeNull();
      expect(tx.blockNumber).toBeNull();

      // Its log is delivered again with removed: true, to the filter and the subscription.
      const changes = (await result(nodeA, 'eth_getFilterChanges', [filter])) as {
        removed: boolean;
        transactionHash: string;
        blockHash: string;
      }[];
      expect(changes.map((l) => [l.removed, l.transactionHash, l.blockHash])).toEqual([
        [true, hash, receipt.blockHash],
      ]);
      const ofTx = () =>
        ws
          .of<{ removed: boolean; transactionHash: string }>(logsSub)
          .filter((l) => l.transactionHash === hash)
          .map((l) => l.removed);
      await waitFor(() => ofTx().includes(true), {
        timeoutMs: 30_000,
        message: 'a removed: true log notification over WebSocket',
      });
      const removed = ofTx();
      expect(removed).toEqual([false, true]);

      // Mined again on the new branch: the receipt moves to the new block.
      const again = await minedOn(nodeA, hash);
      expect(again.blockHash).not.toBe(receipt.blockHash);
      expect(BigInt(again.blockNumber)).toBeGreaterThan(BigInt((await tipOf(nodeC)).height));
    } finally {
      ws.close();
    }
  }, 300_000);
});
