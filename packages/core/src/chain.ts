// The block tree: every block this node knows, the active chain (the valid chain with the
// most cumulative work) and the state at its tip.
//
// A block goes through the same steps as in btcd's blockchain package:
//   processBlock  — duplicate? orphan (parent unknown)? then sanity rules (block alone)
//   acceptBlock   — contextual header rules against its parent (difficulty, timestamps),
//                   then it joins the tree as a candidate
//   activateBestChain — if some candidate now has more work than the tip: disconnect back
//                   to the fork point and connect the new branch, running the level's
//                   state rules block by block. A block that fails them is marked invalid
//                   with its descendants, and the next best candidate is tried.
// Everything is in memory and synchronous; apps persist what the results report.
import { RuleError, ensure, isRuleError } from './errors.js';
import { checkBlockSanity, genesisBlock, type SanityOptions } from './block.js';
import { headerWork } from './pow.js';
import { medianTimePast, nextBits, type AncestorView } from './difficulty.js';
import type { StateMachine } from './state-machine.js';
import type { Block, ChainSpec, Header, Tx } from './types.js';

export type NodeStatus =
  /** Passed sanity and header rules; its state rules run when it joins the active chain. */
  | 'accepted'
  /** Was connected to the active chain at least once: fully validated. */
  | 'valid'
  /** Broke a rule when connected, or was invalidated by hand (devnet invalidateblock). */
  | 'invalid'
  /** Descends from an invalid block. */
  | 'invalid-parent';

export interface ChainNode {
  readonly hash: string;
  readonly height: number;
  readonly header: Header;
  readonly block: Block;
  readonly parent: ChainNode | null;
  /** Σ work of this block and all its ancestors. */
  readonly chainwork: bigint;
  /** Arrival order: of two chains with equal work, the first seen stays. */
  readonly seq: number;
  readonly children: ChainNode[];
  status: NodeStatus;
  failure?: { code: string; message: string };
}

export interface Reorg {
  /** Blocks taken off the active chain, tip first. */
  disconnected: ChainNode[];
  /** Blocks put on the active chain, lowest first. */
  connected: ChainNode[];
  forkPoint: ChainNode;
  oldTip: ChainNode;
  newTip: ChainNode;
}

export interface ProcessResult {
  status: 'accepted' | 'orphan' | 'duplicate' | 'invalid';
  hash: string;
  /** Why the block (or a block it made us try) was rejected. */
  error?: RuleError;
  /** For orphans: the parent to ask peers for. */
  missingParent?: string;
  /** Blocks that joined the tree in this call: the block and any orphans it adopted. */
  added: ChainNode[];
  /** How the active chain changed, if it did. */
  reorg: Reorg | null;
  /** Blocks marked invalid in this call (they stay in the tree, flagged). */
  invalidated: ChainNode[];
  /** State keys changed in this call (see StateMachine). */
  touched: string[];
}

export interface ChainOptions {
  /** Blocks whose parent is unknown wait here; the oldest is evicted beyond this. */
  maxOrphans?: number;
  sanity?: SanityOptions;
}

export interface ProcessContext {
  /** Current time in unix seconds, for the future-drift rule (core has no clock). */
  now: number;
  /** Skip signature checks: for blocks this node validated before (restart). */
  trusted?: boolean;
}

export class Chain<U = unknown> {
  readonly genesis: ChainNode;
  private tipNode: ChainNode;
  private readonly nodes = new Map<string, ChainNode>();
  /** active[h] is the block at height h of the active chain. */
  private readonly active: ChainNode[] = [];
  private readonly undos = new Map<string, U>();
  /** Every non-invalid node with chainwork ≥ the tip's: where a better tip can come from. */
  private readonly candidates = new Set<ChainNode>();
  private readonly orphans = new Map<string, Block>();
  private readonly orphansByParent = new Map<string, Set<string>>();
  private readonly maxOrphans: number;
  private nextSeq = 0;
  private touched = new Set<string>();

  constructor(
    readonly spec: ChainSpec,
    readonly state: StateMachine<U>,
    private readonly options: ChainOptions = {},
  ) {
    this.maxOrphans = options.maxOrphans ?? 256;
    const block = genesisBlock(spec);
    this.genesis = this.addNode(block, null, 'valid');
    this.tipNode = this.genesis;
    this.active.push(this.genesis);
  }

  // ---- queries ----

  get tip(): ChainNode {
    return this.tipNode;
  }

  get height(): number {
    return this.tipNode.height;
  }

  /** Block at `height` of the active chain. */
  atHeight(height: number): ChainNode | undefined {
    return this.active[height];
  }

  /** Any block in the tree, active or not. */
  get(hash: string): ChainNode | undefined {
    return this.nodes.get(hash.toLowerCase());
  }

  has(hash: string): boolean {
    const h = hash.toLowerCase();
    return this.nodes.has(h) || this.orphans.has(h);
  }

  isActive(node: ChainNode): boolean {
    return this.active[node.height] === node;
  }

  /** Confirmations of an active block: 1 for the tip, 0 if not on the active chain. */
  confirmations(node: ChainNode): number {
    return this.isActive(node) ? this.tipNode.height - node.height + 1 : 0;
  }

  undoOf(hash: string): U | undefined {
    return this.undos.get(hash);
  }

  allNodes(): IterableIterator<ChainNode> {
    return this.nodes.values();
  }

  get orphanCount(): number {
    return this.orphans.size;
  }

  /** The ancestor of `node` at `height` (node itself at its own height). */
  ancestor(node: ChainNode, height: number): ChainNode {
    ensure(
      height >= 0 && height <= node.height,
      'MALFORMED_BLOCK',
      `no ancestor at height ${height}`,
    );
    let n = node;
    // Walk back until we meet the active chain, then index it directly.
    while (n.height > height && !this.isActive(n)) n = n.parent!;
    return this.isActive(n) ? this.active[height]! : n;
  }

  /** The view of the chain ending at `parent` that the header rules read. */
  viewAt(parent: ChainNode): AncestorView {
    return { height: parent.height, at: (h) => this.ancestor(parent, h).header };
  }

  /** Bits a block on top of `parent` must carry. */
  nextBitsAfter(parent: ChainNode = this.tipNode): number {
    return nextBits(this.viewAt(parent), this.spec);
  }

  /** A new block on top of `parent` must have a time strictly above this. */
  medianTimePastAt(parent: ChainNode = this.tipNode): number {
    return medianTimePast(this.viewAt(parent));
  }

  // ---- processing ----

  /** Takes a block from anywhere (miner, peer, REST) through every rule. */
  processBlock(block: Block, ctx: ProcessContext): ProcessResult {
    const hash = block.hash.toLowerCase();
    const result: ProcessResult = {
      status: 'accepted',
      hash,
      added: [],
      reorg: null,
      invalidated: [],
      touched: [],
    };
    if (this.has(hash)) {
      // The hash names the header, not the body: only the very block we hold is a
      // duplicate. Another body under a known hash (a forged or mutated copy) is checked
      // and refused, and the stored block stays as it is.
      const known = this.nodes.get(hash)?.block ?? this.orphans.get(hash)!;
      if (sameBlock(known, block)) return { ...result, status: 'duplicate' };
      try {
        checkBlockSanity(block, this.spec, {
          ...this.options.sanity,
          skipSignatures: ctx.trusted === true,
        });
        throw new RuleError(
          'MALFORMED_BLOCK',
          `block ${hash} is known with another ${block.height === known.height ? 'body' : 'height'}`,
        );
      } catch (e) {
        if (!isRuleError(e)) throw e;
        return { ...result, status: 'invalid', error: e };
      }
    }
    this.touched = new Set();
    const oldTip = this.tipNode;
    try {
      checkBlockSanity(block, this.spec, {
        ...this.options.sanity,
        skipSignatures: ctx.trusted === true,
      });
      const parent = this.nodes.get(block.header.prevHash);
      if (!parent) {
        this.addOrphan(block);
        return { ...result, status: 'orphan', missingParent: block.header.prevHash };
      }
      result.added.push(this.acceptBlock(block, parent, ctx));
      this.adoptOrphans(hash, ctx, result);
    } catch (e) {
      if (!isRuleError(e)) throw e;
      return { ...result, status: 'invalid', error: e };
    }
    this.activateBestChain(result);
    result.reorg = this.reorgFrom(oldTip);
    result.touched = [...this.touched];
    const self = this.nodes.get(hash);
    if (self && (self.status === 'invalid' || self.status === 'invalid-parent')) {
      result.status = 'invalid';
      result.error ??= new RuleError('INVALID_PARENT', self.failure?.message ?? 'invalid');
    }
    return result;
  }

  /** Contextual header rules, then the block joins the tree. */
  private acceptBlock(block: Block, parent: ChainNode, ctx: ProcessContext): ChainNode {
    const parentInvalid = parent.status === 'invalid' || parent.status === 'invalid-parent';
    // A child of a block invalidated by hand is kept (flagged), as Bitcoin Core does, so
    // that reconsiderBlock can bring the branch back; a child of a block that broke a rule
    // is refused.
    const handInvalidated = parentInvalid ? this.invalidatedByHand(parent) : null;
    if (parentInvalid && !handInvalidated) {
      throw new RuleError('INVALID_PARENT', `parent ${parent.hash} is invalid`);
    }
    ensure(
      block.height === parent.height + 1,
      'MALFORMED_BLOCK',
      `height must be ${parent.height + 1}, got ${block.height}`,
    );
    const view = this.viewAt(parent);
    const expectedBits = nextBits(view, this.spec);
    ensure(
      block.header.bits === expectedBits,
      'BAD_DIFFICULTY',
      `bits 0x${block.header.bits.toString(16)}, the retarget rule requires 0x${expectedBits.toString(16)}`,
    );
    const mtp = medianTimePast(view);
    ensure(
      block.header.time > mtp,
      'TIME_TOO_OLD',
      `time ${block.header.time} is not after the median time past ${mtp}`,
    );
    const latest = ctx.now + this.spec.maxFutureDriftSeconds;
    ensure(
      block.header.time <= latest,
      'TIME_TOO_NEW',
      `time ${block.header.time} is more than ${this.spec.maxFutureDriftSeconds}s in the future`,
    );
    if (handInvalidated) {
      const node = this.addNode(block, parent, 'invalid-parent');
      node.failure = {
        code: 'INVALID_PARENT',
        message: `descends from block ${handInvalidated.hash}, invalidated by hand`,
      };
      return node;
    }
    const node = this.addNode(block, parent, 'accepted');
    if (node.chainwork >= this.tipNode.chainwork) this.candidates.add(node);
    return node;
  }

  /** The invalid ancestor (or self) of an invalid node, if it was invalidated by hand. */
  private invalidatedByHand(node: ChainNode): ChainNode | null {
    let n: ChainNode | null = node;
    while (n && n.status === 'invalid-parent') n = n.parent;
    return n && n.status === 'invalid' && n.failure?.code === 'INVALIDATED' ? n : null;
  }

  private addNode(block: Block, parent: ChainNode | null, status: NodeStatus): ChainNode {
    const node: ChainNode = {
      hash: block.hash.toLowerCase(),
      height: block.height,
      header: block.header,
      block,
      parent,
      chainwork: (parent?.chainwork ?? 0n) + headerWork(block.header.bits),
      seq: this.nextSeq++,
      children: [],
      status,
    };
    parent?.children.push(node);
    this.nodes.set(node.hash, node);
    return node;
  }

  private addOrphan(block: Block): void {
    if (this.orphans.size >= this.maxOrphans) {
      const oldest = this.orphans.keys().next().value as string;
      this.removeOrphan(oldest);
    }
    const hash = block.hash.toLowerCase();
    this.orphans.set(hash, block);
    const siblings = this.orphansByParent.get(block.header.prevHash) ?? new Set<string>();
    siblings.add(hash);
    this.orphansByParent.set(block.header.prevHash, siblings);
  }

  private removeOrphan(hash: string): void {
    const block = this.orphans.get(hash);
    if (!block) return;
    this.orphans.delete(hash);
    const siblings = this.orphansByParent.get(block.header.prevHash);
    siblings?.delete(hash);
    if (siblings?.size === 0) this.orphansByParent.delete(block.header.prevHash);
  }

  /** Orphans waiting for `hash` (and their own waiting children) join the tree now. */
  private adoptOrphans(hash: string, ctx: ProcessContext, result: ProcessResult): void {
    const queue = [hash];
    while (queue.length > 0) {
      const parentHash = queue.shift()!;
      for (const childHash of [...(this.orphansByParent.get(parentHash) ?? [])]) {
        const child = this.orphans.get(childHash)!;
        this.removeOrphan(childHash);
        try {
          result.added.push(this.acceptBlock(child, this.nodes.get(parentHash)!, ctx));
          queue.push(childHash);
        } catch (e) {
          if (!isRuleError(e)) throw e; // an invalid orphan is simply dropped
        }
      }
    }
  }

  // ---- fork choice ----

  /** Most work wins; of equal work, the first seen. */
  private static better(a: ChainNode, b: ChainNode): boolean {
    return a.chainwork > b.chainwork || (a.chainwork === b.chainwork && a.seq < b.seq);
  }

  private bestCandidate(): ChainNode {
    let best = this.tipNode;
    for (const c of this.candidates) if (Chain.better(c, best)) best = c;
    return best;
  }

  /** Rebuilds the candidate set from scratch: after invalidation the tip may have less work. */
  private rescanCandidates(): void {
    this.candidates.clear();
    for (const node of this.nodes.values()) {
      if (
        node.status !== 'invalid' &&
        node.status !== 'invalid-parent' &&
        node.chainwork >= this.tipNode.chainwork
      ) {
        this.candidates.add(node);
      }
    }
  }

  private activateBestChain(result: ProcessResult): void {
    for (;;) {
      const best = this.bestCandidate();
      if (best === this.tipNode) break;
      const fork = this.findFork(this.tipNode, best);
      while (this.tipNode !== fork) this.disconnectTip();
      const path: ChainNode[] = [];
      for (let n: ChainNode = best; n !== fork; n = n.parent!) path.push(n);
      path.reverse();
      for (const node of path) {
        try {
          this.connectTip(node);
        } catch (e) {
          if (!isRuleError(e)) throw e;
          result.error ??= e;
          this.markInvalid(node, e, result.invalidated);
          this.rescanCandidates();
          break;
        }
      }
    }
    for (const c of this.candidates)
      if (c.chainwork < this.tipNode.chainwork) this.candidates.delete(c);
  }

  private connectTip(node: ChainNode): void {
    const { undo, touched } = this.state.connect(node.block);
    for (const key of touched) this.touched.add(key);
    this.undos.set(node.hash, undo);
    if (node.status === 'accepted') node.status = 'valid';
    this.active[node.height] = node;
    this.tipNode = node;
  }

  private disconnectTip(): void {
    const node = this.tipNode;
    ensure(node.parent !== null, 'BAD_GENESIS', 'cannot disconnect the genesis block');
    const undo = this.undos.get(node.hash) as U;
    for (const key of this.state.disconnect(node.block, undo)) this.touched.add(key);
    this.undos.delete(node.hash);
    this.active.length = node.height;
    this.tipNode = node.parent;
  }

  private findFork(a: ChainNode, b: ChainNode): ChainNode {
    let x = a;
    let y = b;
    while (x.height > y.height) x = x.parent!;
    while (y.height > x.height) y = y.parent!;
    while (x !== y) {
      x = x.parent!;
      y = y.parent!;
    }
    return x;
  }

  private markInvalid(
    node: ChainNode,
    error: { code: string; message: string },
    out: ChainNode[],
  ): void {
    node.status = 'invalid';
    node.failure = { code: error.code, message: error.message };
    out.push(node);
    const stack = [...node.children];
    while (stack.length > 0) {
      const n = stack.pop()!;
      n.status = 'invalid-parent';
      n.failure = { code: 'INVALID_PARENT', message: `descends from invalid block ${node.hash}` };
      out.push(n);
      for (const c of n.children) stack.push(c);
    }
    for (const n of out) this.candidates.delete(n);
  }

  /** The net change of the active chain since `oldTip` (intermediate attempts cancel out). */
  private reorgFrom(oldTip: ChainNode): Reorg | null {
    const newTip = this.tipNode;
    if (newTip === oldTip) return null;
    const forkPoint = this.findFork(oldTip, newTip);
    const disconnected: ChainNode[] = [];
    for (let n = oldTip; n !== forkPoint; n = n.parent!) disconnected.push(n);
    const connected: ChainNode[] = [];
    for (let n = newTip; n !== forkPoint; n = n.parent!) connected.push(n);
    connected.reverse();
    return { disconnected, connected, forkPoint, oldTip, newTip };
  }

  // ---- manual fork control (Bitcoin Core's invalidateblock / reconsiderblock) ----

  private runControl(action: () => void): ProcessResult {
    this.touched = new Set();
    const oldTip = this.tipNode;
    const result: ProcessResult = {
      status: 'accepted',
      hash: '',
      added: [],
      reorg: null,
      invalidated: [],
      touched: [],
    };
    action();
    this.rescanCandidates();
    this.activateBestChain(result);
    result.reorg = this.reorgFrom(oldTip);
    result.touched = [...this.touched];
    return result;
  }

  /** Marks a block and its descendants invalid and moves the tip off them. */
  invalidateBlock(hash: string): ProcessResult {
    const node = this.get(hash);
    ensure(node !== undefined, 'UNKNOWN_BLOCK', `unknown block ${hash}`);
    ensure(node !== this.genesis, 'BAD_GENESIS', 'the genesis block cannot be invalidated');
    return {
      ...this.runControl(() => {
        // Step the tip back below the block first, so its state is undone cleanly.
        if (this.isActive(node)) while (this.tipNode !== node.parent) this.disconnectTip();
        this.markInvalid(node, { code: 'INVALIDATED', message: 'invalidated by hand' }, []);
      }),
      hash: node.hash,
    };
  }

  /** Clears invalid marks on a block, its descendants and ancestors, and re-runs fork choice. */
  reconsiderBlock(hash: string): ProcessResult {
    const node = this.get(hash);
    ensure(node !== undefined, 'UNKNOWN_BLOCK', `unknown block ${hash}`);
    return {
      ...this.runControl(() => {
        const reset = (n: ChainNode) => {
          if (n.status === 'invalid' || n.status === 'invalid-parent') {
            n.status = 'accepted';
            delete n.failure;
          }
        };
        const stack = [node];
        while (stack.length > 0) {
          const n = stack.pop()!;
          reset(n);
          for (const c of n.children) stack.push(c);
        }
        for (let n = node.parent; n; n = n.parent) reset(n);
      }),
      hash: node.hash,
    };
  }
}

/** Same header, height and payload, item by item (no hashing: duplicates arrive often). */
export function sameBlock(a: Block, b: Block): boolean {
  if (a === b) return true;
  const ha = a.header;
  const hb = b.header;
  if (
    a.height !== b.height ||
    ha.version !== hb.version ||
    ha.prevHash !== hb.prevHash ||
    ha.merkleRoot !== hb.merkleRoot ||
    ha.time !== hb.time ||
    ha.bits !== hb.bits ||
    ha.nonce !== hb.nonce
  )
    return false;
  if ('txs' in a)
    return (
      'txs' in b && a.txs.length === b.txs.length && a.txs.every((t, i) => sameTx(t, b.txs[i]!))
    );
  return 'data' in b && a.data.length === b.data.length && a.data.every((d, i) => d === b.data[i]);
}

function sameTx(a: Tx, b: Tx): boolean {
  if (a === b) return true;
  // Field by field (bigints compare by value); an absent field equals an undefined one.
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  for (const k of Object.keys(x)) if (x[k] !== y[k]) return false;
  for (const k of Object.keys(y)) if (x[k] !== y[k]) return false;
  return true;
}
