// Block locators (Bitcoin's getblocks): a peer that is behind sends hashes of its chain,
// dense near its tip and exponentially sparser towards genesis; we answer with the blocks
// after the last of them that is on our active chain. Ten hashes cover ~a thousand blocks,
// twenty a million, so catch-up works even when the two chains forked long ago.
import type { Chain, ChainNode } from './chain.js';

export function blockLocator(chain: Chain, from: ChainNode = chain.tip): string[] {
  const hashes: string[] = [];
  let step = 1;
  let node: ChainNode = from;
  for (;;) {
    hashes.push(node.hash);
    if (node.height === 0) break;
    const nextHeight = Math.max(0, node.height - step);
    node = chain.ancestor(node, nextHeight);
    if (hashes.length >= 10) step *= 2;
  }
  return hashes;
}

/** The highest locator hash on our active chain (genesis if none is). */
export function findLocatorFork(chain: Chain, locator: readonly string[]): ChainNode {
  for (const hash of locator) {
    const node = chain.get(hash);
    if (node && chain.isActive(node)) return node;
  }
  return chain.genesis;
}

/** Up to `limit` active blocks after `fork`, lowest first. */
export function activeBlocksAfter(chain: Chain, fork: ChainNode, limit: number): ChainNode[] {
  const out: ChainNode[] = [];
  for (let h = fork.height + 1; h <= chain.height && out.length < limit; h++)
    out.push(chain.atHeight(h)!);
  return out;
}
