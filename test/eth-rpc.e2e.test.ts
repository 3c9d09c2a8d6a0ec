// Level 3 speaks Ethereum JSON-RPC: the calls MetaMask makes at connect, Ethereum-signed
// txs (legacy EIP-155 and EIP-1559) sent with viem through eth_sendRawTransaction, admitted
// by the real mempool, mined, and their receipts; JSON-RPC error codes.
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { JsonRpcProvider, Wallet } from 'ethers';
import { loadSpec } from '@chainlab/core';
import { compileSource } from '@chainlab/evm';
import {
  getJson,
  mineBlocks,
  stopServicesAfterAllTests,
  tipOf,
  waitFor,
  type ServiceProcess,
} from './helpers/index.js';
import {
  BOX_SOURCE,
  cast as castOn,
  castAvailable,
  minedOn,
  startLevel3Net,
  viemFor,
} from './helpers/eth.js';

const HAS_CAST = castAvailable();

let node: ServiceProcess;
let mempool: ServiceProcess;
let devKey: `0x${string}`;

const rpc = async (body: unknown) => {
  const res = await fetch(`${node.url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  const net = await startLevel3Net({ name: 'test-rpc' }, 1);
  devKey = net.keys[0]!;
  mempool = net.mempool;
  node = net.nodes[0]!;
}, 120_000);

stopServicesAfterAllTests();

describe('Ethereum JSON-RPC on a level-3 node', () => {
  it('answers the calls MetaMask makes at connect', async () => {
    const chainId = await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] });
    expect(chainId.body.result).toBe('0x53b');
    const [net, num, bal, price, block] = (
      await rpc([
        { jsonrpc: '2.0', id: 2, method: 'net_version', params: [] },
        { jsonrpc: '2.0', id: 3, method: 'eth_blockNumber', params: [] },
        {
          jsonrpc: '2.0',
          id: 4,
          method: 'eth_getBalance',
          params: [privateKeyToAccount(devKey).address, 'latest'],
        },
        { jsonrpc: '2.0', id: 5, method: 'eth_gasPrice', params: [] },
        { jsonrpc: '2.0', id: 6, method: 'eth_getBlockByNumber', params: ['latest', false] },
      ])
    ).body as unknown as { result: unknown }[];
    expect(net!.result).toBe('1339');
    const tip = await tipOf(node);
    expect(num!.result).toBe('0x' + tip.height.toString(16));
    expect(BigInt(bal!.result as string)).toBeGreaterThan(0n);
    expect(BigInt(price!.result as string)).toBeGreaterThan(0n);
    expect((block!.result as { hash: string }).hash).toBe(tip.hash);
  });

  it('JSON-RPC errors: unknown method, bad params, parse error; never a 5xx', async () => {
    const unknown = await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_nope', params: [] });
    expect((unknown.body.error as { code: number }).code).toBe(-32601);
    const bad = await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: ['0x12'] });
    expect((bad.body.error as { code: number; message: string }).code).toBe(-32602);
    expect((bad.body.error as { message: string }).message).toMatch(/address/);
    const parse = await rpc('{not json');
    expect(parse.status).toBe(200);
    expect((parse.body.error as { code: number }).code).toBe(-32700);
  });

  it('viem sends legacy and EIP-1559 txs; they are mined with Ethereum hashes and receipts', async () => {
    const { wallet, client } = viemFor(node, devKey, 'chainlab devnet-contracts');
    const to = '0x000000000000000000000000000000000000dEaD';
    const h1 = await wallet.sendTransaction({ to, value: 1000n, type: 'eip1559' });
    const h2 = await wallet.sendTransaction({ to, value: 2000n, type: 'legacy' });
    const pending = await getJson<{ raw?: string }[]>(`${mempool.url}/unprocessed`);
    expect(pending.length).toBe(2);
    const receipts = await waitFor(
      async () => {
        await mineBlocks(node, 1);
        const r = await Promise.all(
          [h1, h2].map((hash) => client.getTransactionReceipt({ hash }).catch(() => null)),
        );
        return r.every((x) => x !== null) ? r : false;
      },
      { timeoutMs: 90_000, intervalMs: 200, message: 'both txs mined' },
    );
    for (const r of receipts) {
      expect(r!.status).toBe('success');
      expect(r!.gasUsed).toBe(21000n);
      expect(r!.effectiveGasPrice).toBeGreaterThan(0n);
    }
    expect(receipts[0]!.type).toBe('eip1559');
    expect(receipts[1]!.type).toBe('legacy');
    expect(await client.getBalance({ address: to })).toBe(3000n);
    const block = await client.getBlock({ blockHash: receipts[0]!.blockHash });
    expect(block.hash).toBe((await tipOf(node)).hash);
    expect(block.baseFeePerGas).toBeGreaterThan(0n);
    // Sending the same tx again: geth's words.
    const raw = (await client.getTransaction({ hash: h1 })).hash;
    expect(raw).toBe(h1);
    const again = await wallet.sendTransaction({ to, value: 1n, nonce: 0, type: 'eip1559' }).then(
      () => 'accepted',
      (e: Error) => e.message,
    );
    expect(again).toMatch(/nonce/i);
  }, 180_000);

  it('viem deploys, calls, reads logs, decodes a custom error; a forced reorg re-delivers logs with removed: true', async () => {
    const box = compileSource(BOX_SOURCE, 'Box');
    const { account, wallet, client } = viemFor(node, loadSpec('devnet-contracts').devKeys[2]!);
    const mined = (hash: `0x${string}`) => minedOn(node, hash);
    const deployHash = await wallet.deployContract({
      abi: box.abi,
      bytecode: box.bytecode as `0x${string}`,
    });
    const address = (await mined(deployHash)).contractAddress!;
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const filterId = (
      await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_newFilter', params: [{ address }] })
    ).body.result as string;
    const storeHash = await wallet.writeContract({
      address,
      abi: box.abi,
      functionName: 'store',
      args: [42n],
    });
    const receipt = await mined(storeHash);
    expect(await client.readContract({ address, abi: box.abi, functionName: 'value' })).toBe(42n);
    const logs = await client.getContractEvents({ address, abi: box.abi, fromBlock: 0n });
    expect(logs).toHaveLength(1);
    expect((logs[0] as unknown as { args: { value: bigint } }).args.value).toBe(42n);
    // A custom error comes back as execution reverted (3) with its data: viem decodes it.
    const err = await client
      .simulateContract({ address, abi: box.abi, functionName: 'store', args: [500n], account })
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(err?.message).toMatch(/TooBig/);
    if (HAS_CAST) {
      const cast = (...args: string[]) => castOn(node, ...args);
      expect(cast('call', address, 'value()(uint256)')).toBe('42');
      expect(cast('balance', account.address)).toBe(
        (await client.getBalance({ address: account.address })).toString(),
      );
      expect(cast('chain-id')).toBe('1339');
    }
    const changes = (
      await rpc({ jsonrpc: '2.0', id: 2, method: 'eth_getFilterChanges', params: [filterId] })
    ).body.result as { removed: boolean }[];
    expect(changes.map((l) => l.removed)).toEqual([false]);
    // Forced reorg: invalidate the block holding the store tx.
    const inv = await fetch(`${node.url}/dev/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hash: receipt.blockHash }),
    });
    expect(inv.status).toBe(200);
    expect(await client.getTransactionReceipt({ hash: storeHash }).catch(() => null)).toBeNull();
    const removed = (
      await rpc({ jsonrpc: '2.0', id: 3, method: 'eth_getFilterChanges', params: [filterId] })
    ).body.result as { removed: boolean; transactionHash: string }[];
    expect(removed.map((l) => [l.removed, l.transactionHash])).toEqual([[true, storeHash]]);
    // Reconsidering the block makes it active again: the receipt and the log come back.
    const rec = await fetch(`${node.url}/dev/reconsider`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hash: receipt.blockHash }),
    });
    expect(rec.status).toBe(200);
    expect((await client.getTransactionReceipt({ hash: storeHash })).blockHash).toBe(
      receipt.blockHash,
    );
    const back = (
      await rpc({ jsonrpc: '2.0', id: 4, method: 'eth_getFilterChanges', params: [filterId] })
    ).body.result as { removed: boolean }[];
    expect(back.map((l) => l.removed)).toEqual([false]);
  }, 240_000);

  it('ethers sends a tx and waits for its receipt', async () => {
    const provider = new JsonRpcProvider(`${node.url}/rpc`, 1339, { staticNetwork: true });
    const signer = new Wallet(loadSpec('devnet-contracts').devKeys[3]!, provider);
    const tx = await signer.sendTransaction({
      to: '0x000000000000000000000000000000000000bEEF',
      value: 7n,
    });
    const receipt = await waitFor(
      async () => {
        await mineBlocks(node, 1);
        return (await provider.getTransactionReceipt(tx.hash)) ?? false;
      },
      { timeoutMs: 90_000, intervalMs: 200, message: 'the ethers tx mined' },
    );
    expect(receipt.status).toBe(1);
    expect(await provider.getBalance('0x000000000000000000000000000000000000bEEF')).toBe(7n);
    provider.destroy();
  }, 120_000);

  it('devnet helpers: anvil_/hardhat_/evm_mine and anvil_/hardhat_setBalance; no snapshots', async () => {
    const call = async (method: string, params: unknown[] = []) =>
      (await rpc({ jsonrpc: '2.0', id: 1, method, params })).body as {
        result?: unknown;
        error?: { code: number; message: string };
      };
    const height = async () => (await tipOf(node)).height;

    // The three spellings of "mine": each mines real blocks on this node.
    const h0 = await height();
    expect((await call('anvil_mine', ['0x2'])).result).toBeNull();
    expect(await height()).toBe(h0 + 2);
    expect((await call('hardhat_mine', [])).result).toBeNull();
    expect(await height()).toBe(h0 + 3);
    expect((await call('evm_mine', [])).result).toBe('0x0');
    expect(await height()).toBe(h0 + 4);
    expect((await call('anvil_mine', ['0x0'])).error?.code).toBe(-32602);

    // setBalance raises a balance with a transfer from a dev account, mined at once.
    const fresh = privateKeyToAccount(generatePrivateKey()).address;
    const balance = async () =>
      BigInt((await call('eth_getBalance', [fresh, 'latest'])).result as string);
    expect((await call('anvil_setBalance', [fresh, '0xde0b6b3a7640000'])).result).toBeNull();
    expect(await balance()).toBe(10n ** 18n);
    expect((await call('hardhat_setBalance', [fresh, '0x1bc16d674ec80000'])).result).toBeNull();
    expect(await balance()).toBe(2n * 10n ** 18n);
    expect(await height()).toBeGreaterThan(h0 + 4);
    // Lowering needs the account's key: refused with a message saying so, nothing changes.
    const lower = await call('anvil_setBalance', [fresh, '0x1']);
    expect(lower.error?.code).toBe(-32000);
    expect(lower.error?.message).toMatch(/not lower/);
    expect(await balance()).toBe(2n * 10n ** 18n);
    // A malformed address is a bad param, named.
    expect((await call('anvil_setBalance', ['0x12', '0x1'])).error?.code).toBe(-32602);

    // Snapshots are not offered (docs/ethereum-tools.md): an unknown method, not a fake.
    expect((await call('evm_snapshot')).error?.code).toBe(-32601);
    expect((await call('evm_revert', ['0x1'])).error?.code).toBe(-32601);
  }, 240_000);
});
