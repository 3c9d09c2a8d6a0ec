// Difficulty retargeting and timestamp rules. Each retarget rule is a pure function of
// the chain before the new block; the chain spec picks one.
import { bitsToTarget, targetToBits } from './pow.js';
import type { ChainSpec } from './types.js';

/** What the rules need to know about the chain ending at the new block's parent. */
export interface AncestorView {
  /** Height of the parent (the last block before the new one). */
  readonly height: number;
  /** Time and bits of the ancestor at `height` (0 ≤ height ≤ this.height). */
  at(height: number): { time: number; bits: number };
}

export const MEDIAN_TIME_SPAN = 11;

/** Median of the last 11 block times (fewer near genesis), Bitcoin's median-time-past. */
export function medianTimePast(view: AncestorView): number {
  const times: number[] = [];
  for (let h = view.height; h >= 0 && times.length < MEDIAN_TIME_SPAN; h--)
    times.push(view.at(h).time);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Bitcoin's retarget arithmetic: scale the target by actual/expected timespan, the
 * timespan clamped to a factor of 4 either way, never easier than the pow limit.
 */
export function bitcoinRetarget(
  lastBits: number,
  firstTime: number,
  lastTime: number,
  targetTimespan: number,
  powLimit: bigint,
): number {
  let actual = lastTime - firstTime;
  if (actual < targetTimespan / 4) actual = Math.floor(targetTimespan / 4);
  if (actual > targetTimespan * 4) actual = targetTimespan * 4;
  // Bitcoin rounds the old target through its compact form first; so do we.
  let target = (bitsToTarget(lastBits) * BigInt(actual)) / BigInt(targetTimespan);
  if (target > powLimit) target = powLimit;
  return targetToBits(target);
}

function bitcoinNextBits(
  view: AncestorView,
  spec: ChainSpec,
  window: number,
  powLimit: bigint,
): number {
  const parent = view.at(view.height);
  const nextHeight = view.height + 1;
  if (nextHeight % window !== 0) return parent.bits;
  // Bitcoin measures the window from its first block, so it spans window-1 intervals
  // (the famous off-by-one); kept for fidelity, so real Bitcoin retargets reproduce.
  const first = view.at(nextHeight - window);
  return bitcoinRetarget(
    parent.bits,
    first.time,
    parent.time,
    window * spec.targetBlockTimeSeconds,
    powLimit,
  );
}

/**
 * zawy12's LWMA-1: a per-block rule that weights recent solve times linearly more, suited
 * to small devnets whose hash rate jumps when a miner joins or leaves.
 */
function lwmaNextBits(
  view: AncestorView,
  spec: ChainSpec,
  maxWindow: number,
  powLimit: bigint,
): number {
  const height = view.height;
  // Young chains average over the blocks they have, so a devnet adapts from block 2 on.
  const window = Math.min(maxWindow, height);
  if (window < 1) return spec.genesis.bits;
  const T = BigInt(spec.targetBlockTimeSeconds);
  const N = BigInt(window);
  const k = (N * (N + 1n) * T) / 2n;
  let previousTimestamp = view.at(height - window).time;
  let weightedSolveTimes = 0n;
  let sumTargets = 0n;
  for (let i = height - window + 1, j = 1n; i <= height; i++, j++) {
    const block = view.at(i);
    // Out-of-order timestamps count as 1 second, never negative (zawy's safe form).
    const thisTimestamp = block.time > previousTimestamp ? block.time : previousTimestamp + 1;
    // Capping a solve time at 6T avoids a big drop after one slow block.
    const solveTime = BigInt(
      Math.min(6 * spec.targetBlockTimeSeconds, thisTimestamp - previousTimestamp),
    );
    previousTimestamp = thisTimestamp;
    weightedSolveTimes += solveTime * j;
    sumTargets += bitsToTarget(block.bits);
  }
  let next = (weightedSolveTimes * sumTargets) / (k * N);
  if (next > powLimit) next = powLimit;
  if (next < 1n) next = 1n;
  return targetToBits(next);
}

/** The bits the block after `view`'s last block must carry. */
export function nextBits(view: AncestorView, spec: ChainSpec): number {
  const powLimit = bitsToTarget(spec.powLimitBits);
  const rule = spec.retarget;
  switch (rule.rule) {
    case 'fixed':
      return spec.genesis.bits;
    case 'bitcoin':
      return bitcoinNextBits(view, spec, rule.windowBlocks, powLimit);
    case 'lwma':
      return lwmaNextBits(view, spec, rule.windowBlocks, powLimit);
  }
}
