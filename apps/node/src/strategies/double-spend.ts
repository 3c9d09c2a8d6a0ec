// --strategy double-spend: Rosenfeld's double spend on a real level-2 node. The decision is
// the simulator's (doubleSpendDecision in @chainlab/sim/decisions, one implementation for
// both); this file drives it with real blocks and txs:
//
// 1. An attempt starts on the public tip (the fork point). The node mines a private block on
//    it holding the conflicting tx: the payer's next nonce, paying the payer itself. While
//    nothing is found, a new public tip moves the fork point there (pre-mining is memoryless).
// 2. Once that block is found (and withheld), the payment goes out: the same nonce, paying
//    the victim, pushed to the mempool and sent to every peer, so the honest miners put it
//    in their next block.
// 3. Every new public tip or private block asks doubleSpendDecision: publish the private
//    branch once the payment has `confirmations` and the branch is longer than the honest
//    chain above the fork; give up `giveUpBehind` blocks behind (the chance to catch up from
//    d behind is (q/p)^d). Then the next attempt starts.
// 4. A nonce the victim has seen a payment for is never used again: if an attempt ends
//    while its payment is still not in the public chain (given up before the payment made
//    a block, or a published branch later reorganised away), the payment still owns that
//    nonce in the peers' mempools, and a new conflicting tx and payment would be the same
//    nonce again (the payment even byte-identical: same fields, deterministic signature).
//    So the node first settles it: it mines the pending payment honestly on the public tip
//    ('double-spend: settling a payment'), and the next attempt takes the nonce after it.
//
// Log lines the experiment runner reads (docs/experiments.md):
//   'double-spend: paid'       {attempt, forkHeight, payment, conflict, hash}
//   'double-spend: published'  {attempt, hashes, honest, attacker, paymentConfirmations}
//   'double-spend: gave up'    {attempt, honest, attacker, paymentConfirmations}
//   'mined a block'            {height, hash, items} a settling block (public at once)
import {
  blockTemplate,
  isTxBlock,
  type LedgerState,
  privateKeyToAddress,
  signTx,
  txid,
  txToJson,
  type Block,
  type ChainNode,
  type ChainSpec,
  type TransferTx,
} from '@chainlab/core';
import { doubleSpendDecision } from '@chainlab/sim/decisions';
import { fetchJson, type Logger } from '@chainlab/service';
import type { ChainService } from '@chainlab/sync';
import { PrivateBranch } from './private-branch.js';
import { RecentReleases, withheldHeights, type MiningStrategy, type Publish } from './types.js';

export interface DoubleSpendOptions {
  /** Signs the payment and the conflicting tx (a devnet key). */
  payerKey: string;
  victim: string;
  amount: bigint;
  /** Confirmations (z) the victim waits for. */
  confirmations: number;
  giveUpBehind: number;
  /** Where the payment is pushed (POST /pushtx). */
  mempoolUrl: string | undefined;
  coinbase: string;
}

interface Attempt {
  id: number;
  branch: PrivateBranch;
  conflict: TransferTx;
  payment: TransferTx | null;
  paymentId: string | null;
}

export class DoubleSpendMining implements MiningStrategy {
  readonly name = 'double-spend';
  private readonly payer: string;
  private attempt: Attempt | null = null;
  /** Every payment sent, by nonce, while the public chain has not used that nonce yet. */
  private readonly payments = new Map<number, TransferTx>();
  /** The honest block being mined to settle a pending payment (step 4), or null. */
  private settling: TransferTx | null = null;
  private nextId = 1;
  private readonly counts = { attempts: 0, published: 0, gaveUp: 0 };
  private readonly releases = new RecentReleases();

  constructor(
    private readonly service: ChainService,
    /** The ledger's tip state, updated in place as the chain moves. */
    private readonly ledger: LedgerState,
    private readonly publish: Publish,
    private readonly relayTx: (tx: TransferTx) => void,
    private readonly options: DoubleSpendOptions,
    private readonly log: Logger,
  ) {
    this.payer = privateKeyToAddress(options.payerKey);
    service.on('tip', () => void this.decide());
  }

  private get spec(): ChainSpec {
    return this.service.spec;
  }

  status(): Record<string, unknown> {
    return {
      strategy: this.name,
      privateBlocks: this.attempt?.branch.length ?? 0,
      privateHeights: withheldHeights(this.attempt?.branch.blocks ?? []),
      confirmations: this.options.confirmations,
      giveUpBehind: this.options.giveUpBehind,
      ...this.counts,
      releases: this.releases.toJson(),
    };
  }

  /** A fresh attempt on the public tip: the conflicting tx uses the payer's next nonce there. */
  private startAttempt(): Attempt {
    const tip = this.service.chain.tip;
    const ledger = this.ledger;
    const conflict = signTx(
      {
        kind: 'transfer',
        from: this.payer,
        to: this.payer,
        amount: this.options.amount,
        fee: this.spec.minFee,
        nonce: ledger.get(this.payer).nonce,
        chainId: this.spec.chainId,
      },
      this.options.payerKey,
    );
    return {
      id: this.nextId,
      branch: new PrivateBranch(tip),
      conflict,
      payment: null,
      paymentId: null,
    };
  }

  template(time: number): Block | null {
    let a = this.attempt;
    const tip = this.service.chain.tip;
    // Pre-mining follows the public tip: nothing private yet, so nothing is lost.
    if (!a || (a.branch.length === 0 && a.branch.fork.hash !== tip.hash)) {
      this.attempt = null;
      const pending = this.pendingPayment();
      if (pending) return this.settle(pending, tip, time);
      a = this.attempt = this.startAttempt();
    }
    return blockTemplate(this.service.chain, {
      parent: a.branch.tip,
      time,
      txs: a.branch.length === 0 ? [a.conflict] : [],
      coinbase: this.options.coinbase,
    });
  }

  /** A payment already sent with the payer's next nonce on the public chain, if any. */
  private pendingPayment(): TransferTx | null {
    const nonce = this.ledger.get(this.payer).nonce;
    // Settled long ago. (Not at once: a reorganisation can give a used nonce back.)
    for (const n of this.payments.keys()) if (n + 100 < nonce) this.payments.delete(n);
    return this.payments.get(nonce) ?? null;
  }

  /** Step 4: an honest block on the public tip with the pending payment in it. */
  private settle(payment: TransferTx, tip: ChainNode, time: number): Block {
    if (this.settling !== payment)
      this.log.info(
        { payment: txid(payment), nonce: payment.nonce, height: tip.height + 1 },
        'double-spend: settling a payment',
      );
    this.settling = payment;
    return blockTemplate(this.service.chain, {
      parent: tip,
      time,
      txs: [payment],
      coinbase: this.options.coinbase,
    });
  }

  isCurrent(template: Block): boolean {
    if (this.attempt === null)
      return this.settling !== null && template.header.prevHash === this.service.chain.tip.hash;
    return template.header.prevHash === this.attempt.branch.tip.hash;
  }

  async found(block: Block): Promise<void> {
    if (this.attempt === null) {
      // A settling block: honest, public at once (logged once stored, as the miner does).
      this.settling = null;
      await this.publish([block]);
      this.log.info(
        { height: block.height, hash: block.hash, items: isTxBlock(block) ? block.txs.length : 0 },
        'mined a block',
      );
      return;
    }
    const a = this.attempt;
    a.branch.push(block);
    if (a.branch.length === 1) {
      this.nextId++;
      this.counts.attempts++;
      await this.pay(a, block);
    } else {
      this.log.info({ hash: block.hash, height: block.height }, 'double-spend: withheld a block');
    }
    await this.decide();
  }

  /** The payment: same nonce as the conflicting tx, to the victim; mempool and peers. */
  private async pay(a: Attempt, block: Block): Promise<void> {
    const payment = signTx(
      {
        kind: 'transfer',
        from: this.payer,
        to: this.options.victim,
        amount: a.conflict.amount,
        fee: a.conflict.fee,
        nonce: a.conflict.nonce,
        chainId: a.conflict.chainId,
      },
      this.options.payerKey,
    );
    a.payment = payment;
    a.paymentId = txid(payment);
    this.payments.set(payment.nonce, payment);
    this.log.info(
      {
        attempt: a.id,
        hash: block.hash,
        height: block.height,
        forkHeight: a.branch.fork.height,
        payment: a.paymentId,
        conflict: txid(a.conflict),
      },
      'double-spend: paid',
    );
    if (this.options.mempoolUrl) {
      await fetchJson(`${this.options.mempoolUrl}/pushtx`, {
        body: txToJson(payment),
        timeoutMs: 5000,
      }).catch((e: Error) =>
        this.log.warn({ err: e.message }, 'double-spend: the mempool refused the payment'),
      );
    }
    this.relayTx(payment);
  }

  /** Confirmations of the payment on the public chain (0 while it is not in a block). */
  private paymentConfirmations(a: Attempt, tip: ChainNode): number {
    const chain = this.service.chain;
    for (let h = a.branch.fork.height + 1; h <= tip.height; h++) {
      const block = chain.atHeight(h)?.block;
      if (block && isTxBlock(block) && block.txs.some((tx) => txid(tx) === a.paymentId))
        return tip.height - h + 1;
    }
    return 0;
  }

  private async decide(): Promise<void> {
    const a = this.attempt;
    if (!a || a.branch.length === 0 || a.payment === null) return;
    const tip = this.service.chain.tip;
    if (a.branch.blocks.some((b) => b.hash === tip.hash)) return; // our own release
    const race = {
      honest: Math.max(0, tip.height - a.branch.fork.height),
      attacker: a.branch.length,
      paymentConfirmations: this.paymentConfirmations(a, tip),
    };
    const action = doubleSpendDecision({
      ...race,
      confirmations: this.options.confirmations,
      giveUpBehind: this.options.giveUpBehind,
    });
    if (action === 'wait') return;
    this.attempt = null;
    if (action === 'give-up') {
      this.counts.gaveUp++;
      this.log.info({ attempt: a.id, ...race }, 'double-spend: gave up');
      return;
    }
    this.counts.published++;
    this.log.info(
      { attempt: a.id, hashes: a.branch.blocks.map((b) => b.hash), ...race },
      'double-spend: published',
    );
    this.releases.add('double spend', a.branch.blocks);
    await this.publish(a.branch.blocks);
  }
}
