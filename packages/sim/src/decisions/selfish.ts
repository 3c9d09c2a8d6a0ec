// Selfish mining's decisions, Algorithm 1 of Eyal & Sirer, "Majority is not Enough: Bitcoin
// Mining is Vulnerable" (FC 2014), as pure functions of the race state. The simulator's
// strategy (strategies/selfish.ts) and the node's (apps/node/src/strategies/selfish.ts)
// both call them, so the simulated pool and the real one cannot decide differently:
//
//   pool finds a block:    Δprev = 0 and the private branch now has 2 blocks (the race
//                          state 0' was won) → publish it all; else keep it private
//   others find a block:   Δprev = 0 → adopt the public chain
//                          Δprev = 1 → publish the private block: a race (γ decides)
//                          Δprev = 2 → publish everything: the private chain wins
//                          Δprev > 2 → publish the first unpublished block (match)
//
// Leads are heights: the private tip's height minus the public tip's, the public tip being
// the best block the pool has received from the network (so the same rule works with
// propagation delays).

export type SelfishDecision =
  /** Keep mining on the private tip; publish nothing. */
  | { action: 'wait' }
  /** Drop the private branch and mine on the public tip. */
  | { action: 'adopt' }
  /**
   * Publish the private blocks up to `upToHeight` (Infinity: all of them). `race`: they
   * match an honest block of the same height, so the network's tie-break (γ) decides.
   * `thenAdopt`: the private branch is now the public chain; start afresh on it.
   */
  | { action: 'publish'; upToHeight: number; race: boolean; thenAdopt: boolean };

/**
 * The pool found a block. `leadBefore`: private tip height − public tip height before it
 * (0 with no private branch); `privateBlocks`: the branch length including the new block.
 */
export function selfishOnOwnBlock(s: {
  leadBefore: number;
  privateBlocks: number;
}): SelfishDecision {
  if (s.leadBefore === 0 && s.privateBlocks === 2)
    return { action: 'publish', upToHeight: Infinity, race: false, thenAdopt: true };
  return { action: 'wait' };
}

/**
 * The public tip moved to a higher block found by someone else. `lead`: private tip height −
 * new public tip height; `extendsPrivate`: the new public tip descends from the private tip
 * (honest miners built on the pool's published block); `publicHeight`: its height.
 */
export function selfishOnPublicBlock(s: {
  privateBlocks: number;
  lead: number;
  extendsPrivate: boolean;
  publicHeight: number;
}): SelfishDecision {
  if (s.privateBlocks === 0) return { action: 'wait' };
  if (s.extendsPrivate || s.lead < 0) return { action: 'adopt' };
  if (s.lead === 0)
    return { action: 'publish', upToHeight: Infinity, race: true, thenAdopt: false }; // Δprev = 1
  if (s.lead === 1)
    return { action: 'publish', upToHeight: Infinity, race: false, thenAdopt: true }; // Δprev = 2
  return { action: 'publish', upToHeight: s.publicHeight, race: true, thenAdopt: false }; // Δprev > 2
}
