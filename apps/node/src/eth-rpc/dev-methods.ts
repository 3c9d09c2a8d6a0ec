// Devnet helpers of the JSON-RPC, the calls Hardhat, Anvil and Foundry scripts make
// (evm_mine, anvil_mine, anvil_setBalance, …), mapped onto what a proof-of-work chain
// can honestly do: nothing here edits state behind the chain's back.
//   - mining and time: the node's /dev/mine and /dev/time;
//   - setBalance = a transfer from a dev account (their keys are public on a devnet),
//     mined into a block at once: it can raise a balance, never lower it.
// evm_snapshot/evm_revert are not offered: see docs/ethereum-tools.md for why.
// Only on devnet specs (the plugin gets no DevControls elsewhere). docs/ethereum-tools.md.
import { isRuleError, privateKeyToAddress, signTx, txToJson, type ChainSpec } from '@chainlab/core';
import type { EvmMachine } from '@chainlab/evm';
import { METHOD_NOT_FOUND, RpcError, SERVER_ERROR, invalidParam } from './errors.js';
import type { MempoolClient } from './mempool-client.js';
import { MempoolRefused } from './mempool-client.js';
import { address, hexQuantity, param, type Params } from './params.js';
import { qty } from './view.js';

/** What the node lends the devnet helpers. */
export interface DevControls {
  /** Mines `blocks` blocks now (with the mempool's pending txs); their hashes. */
  mine: (blocks: number) => Promise<string[]>;
  /** Adds to the node clock's offset (seconds); the new offset. */
  increaseTime: (seconds: number) => number;
  setTimeOffset: (seconds: number) => void;
  now: () => number;
}

/** Most blocks one evm_mine/anvil_mine/hardhat_mine may ask for. */
export const MAX_MINE = 1000;

/** The names the devnet methods answer to: Hardhat's and Anvil's spellings of each. */
const ALIASES: Record<string, string> = {
  evm_mine: 'mine',
  anvil_mine: 'mine',
  hardhat_mine: 'mine',
  evm_increaseTime: 'increaseTime',
  anvil_increaseTime: 'increaseTime',
  evm_setNextBlockTimestamp: 'setNextBlockTimestamp',
  anvil_setNextBlockTimestamp: 'setNextBlockTimestamp',
  anvil_setBalance: 'setBalance',
  hardhat_setBalance: 'setBalance',
};

export class DevMethods {
  constructor(
    private readonly spec: ChainSpec,
    private readonly machine: EvmMachine,
    private readonly mempool: MempoolClient,
    private readonly dev: DevControls,
  ) {}

  static handles(method: string): boolean {
    return Object.hasOwn(ALIASES, method);
  }

  async call(method: string, params: Params): Promise<unknown> {
    switch (ALIASES[method]) {
      case 'mine': {
        // evm_mine takes an optional timestamp (Hardhat, Ganache); anvil_/hardhat_mine a count.
        let n = 1;
        if (method === 'evm_mine') {
          if (params[0] !== undefined && params[0] !== null) this.setNextTimestamp(params[0]);
        } else if (params[0] !== undefined && params[0] !== null) {
          n = Number(hexQuantity(params[0], 'blocks'));
        }
        if (n < 1 || n > MAX_MINE) throw invalidParam('blocks', `expected 1 to ${MAX_MINE}`);
        await this.dev.mine(n);
        return method === 'evm_mine' ? '0x0' : null;
      }
      case 'increaseTime': {
        const s = Number(hexQuantity(param(params, 0), 'seconds'));
        return qty(this.dev.increaseTime(s));
      }
      case 'setNextBlockTimestamp':
        this.setNextTimestamp(param(params, 0));
        return null;
      case 'setBalance':
        await this.setBalance(
          address(param(params, 0), 'address'),
          hexQuantity(param(params, 1), 'balance'),
        );
        return null;
    }
    throw new RpcError(METHOD_NOT_FOUND, `the method ${method} does not exist/is not available`);
  }

  private setNextTimestamp(v: unknown): void {
    const t = Number(hexQuantity(v, 'timestamp'));
    this.dev.setTimeOffset(0);
    this.dev.setTimeOffset(t - this.dev.now());
  }

  /**
   * Raises `target`'s balance to `balance` with a transfer from the richest dev account,
   * mined into a block at once. A balance cannot be lowered: that would need the account's key.
   */
  private async setBalance(target: string, balance: bigint): Promise<void> {
    const current = this.machine.account(target).balance;
    if (balance === current) return;
    if (balance < current)
      throw new RpcError(
        SERVER_ERROR,
        `chainlab changes balances only with signed txs in mined blocks: it can raise ${target}'s balance (a transfer from a dev account) but not lower it from ${current} to ${balance} (that needs the account's key)`,
      );
    const amount = balance - current;
    const fee = this.spec.minFee;
    let best: { key: string; from: string; balance: bigint } | undefined;
    for (const key of this.spec.devKeys) {
      const from = privateKeyToAddress(key);
      if (from.toLowerCase() === target.toLowerCase()) continue;
      const b = this.machine.account(from).balance;
      if (!best || b > best.balance) best = { key, from, balance: b };
    }
    if (!best || best.balance < amount + fee)
      throw new RpcError(
        SERVER_ERROR,
        `no dev account holds ${amount + fee} (the raise plus the fee): the richest has ${best?.balance ?? 0n}`,
      );
    const nonce = await this.mempool.pendingNonce(best.from);
    try {
      const tx = signTx({ to: target, amount, fee, nonce, chainId: this.spec.chainId }, best.key);
      await this.mempool.push(txToJson(tx));
    } catch (e) {
      if (isRuleError(e)) throw new RpcError(SERVER_ERROR, `cannot fund ${target}: ${e.message}`);
      if (e instanceof MempoolRefused)
        throw new RpcError(SERVER_ERROR, `the mempool refused the funding transfer: ${e.message}`);
      throw e;
    }
    // Mine until the transfer is in (a busy mempool may fill a block with others first).
    for (let i = 0; i < 10 && this.machine.account(target).balance < balance; i++)
      await this.dev.mine(1);
    if (this.machine.account(target).balance < balance)
      throw new RpcError(
        SERVER_ERROR,
        'the funding transfer was admitted but not mined within 10 blocks',
      );
  }
}
