// Published closed forms the built-in experiments are checked against.

/**
 * Eyal & Sirer (2014), eq. (8): relative revenue of a selfish pool with hash share α when a
 * share γ of the honest miners mines on the pool's block in a tie:
 *   R = [α(1−α)²(4α + γ(1−2α)) − α³] / [1 − α(1 + (2−α)α)]
 */
export function selfishRevenue(alpha: number, gamma: number): number {
  const a = alpha;
  return (a * (1 - a) ** 2 * (4 * a + gamma * (1 - 2 * a)) - a ** 3) / (1 - a * (1 + (2 - a) * a));
}

/** The α above which selfish mining pays (Eyal & Sirer): (1−γ)/(3−2γ). */
export function selfishThreshold(gamma: number): number {
  return (1 - gamma) / (3 - 2 * gamma);
}

/**
 * The classic stale-rate estimate: a block is orphaned when another is found while it
 * propagates, P = 1 − e^(−delay/interval) for Poisson blocks of mean interval T.
 */
export function staleRateEstimate(delaySeconds: number, intervalSeconds: number): number {
  return 1 - Math.exp(-delaySeconds / intervalSeconds);
}

/**
 * The same with the miner's own share s removed (a miner never races itself):
 * 1 − e^(−(1−s)·delay/interval). With n equal miners s = 1/n.
 */
export function staleRateEstimateFinite(
  delaySeconds: number,
  intervalSeconds: number,
  ownShare: number,
): number {
  return 1 - Math.exp((-(1 - ownShare) * delaySeconds) / intervalSeconds);
}

/**
 * The stale rate of the simple race model (every link delay d, miners too small to matter):
 * after a main-chain block everyone else learns it d later, so the next main-chain block
 * comes d + Exp(T) later and the main chain grows at 1/(d + T) of the 1/T blocks found:
 * stale = (d/T) / (1 + d/T). Same first order as 1 − e^(−d/T), lower above it.
 */
export function staleRateRenewal(delaySeconds: number, intervalSeconds: number): number {
  const x = delaySeconds / intervalSeconds;
  return x / (1 + x);
}

/**
 * Bitcoin's retarget in expectation. A window of N blocks mined at hash rate h with work W
 * per block spans N−1 exponential intervals (Bitcoin's off-by-one); the new work is
 * W·N·T / timespan. With timespan ~ (W/h)·Gamma(N−1, 1) and E[1/Gamma(k)] = 1/(k−1):
 *   E[W'] = h·T·N / (N−2)        (independent of W: one window absorbs any shock)
 *   Var[W'] / E[W']² = 1/(N−3)
 * Returns the expected work relative to h·T (the work that gives interval T exactly).
 */
export function bitcoinRetargetSteadyState(windowBlocks: number): {
  mean: number;
  relativeSd: number;
} {
  const N = windowBlocks;
  return { mean: N / (N - 2), relativeSd: Math.sqrt(1 / (N - 3)) };
}

/**
 * Expected work of the first retarget after the hash rate drops from h to h' at block k of
 * an N-block window (k blocks at W/h, the remaining N−1−k intervals at W/h'), by the
 * delta method (ignoring the randomness of the timespan): W·N·T / E[timespan].
 * Relative to the work before the shock.
 */
export function bitcoinFirstRetargetAfterDrop(
  windowBlocks: number,
  k: number,
  hashRatio: number,
  workBefore: number,
  hBefore: number,
  T: number,
): number {
  const N = windowBlocks;
  const intervalsBefore = Math.max(0, Math.min(N - 1, k));
  const intervalsAfter = N - 1 - intervalsBefore;
  const span = (workBefore / hBefore) * (intervalsBefore + intervalsAfter / hashRatio);
  const clamped = Math.min(Math.max(span, (N * T) / 4), N * T * 4);
  return (workBefore * N * T) / clamped / workBefore;
}

/**
 * Nakamoto's double-spend probability (Bitcoin whitepaper §11): an attacker with hash share
 * q, z blocks behind when the merchant accepts, ever catches up. The attacker's progress
 * while the honest chain found z blocks is approximated by a Poisson of mean λ = z·q/p:
 *   P = 1 − Σ_{k=0..z} e^(−λ) λ^k / k! · (1 − (q/p)^(z−k))
 */
export function nakamotoDoubleSpend(q: number, z: number): number {
  const p = 1 - q;
  if (q >= p) return 1;
  const lambda = (z * q) / p;
  let sum = 1;
  let poisson = Math.exp(-lambda);
  for (let k = 0; k <= z; k++) {
    if (k > 0) poisson *= lambda / k;
    sum -= poisson * (1 - Math.pow(q / p, z - k));
  }
  return sum;
}

/**
 * Rosenfeld's exact double-spend probability ("Analysis of hashrate-based double
 * spending", 2014, eq. 1): the attacker pre-mines one block with the conflicting tx, then
 * pays; the merchant waits for z confirmations. The attacker's blocks meanwhile are
 * negative binomial (not Poisson), and he wins if his chain ever gets longer:
 *   r(q, z) = 1 − Σ_{m=0..z} C(m+z−1, m) (p^z q^m − p^m q^z)        (q < p; 1 otherwise)
 */
export function rosenfeldDoubleSpend(q: number, z: number): number {
  const p = 1 - q;
  if (q >= p) return 1;
  if (z === 0) return 1;
  let sum = 0;
  let c = 1; // C(m+z−1, m)
  for (let m = 0; m <= z; m++) {
    if (m > 0) c = (c * (m + z - 1)) / m;
    sum += c * (Math.pow(p, z) * Math.pow(q, m) - Math.pow(p, m) * Math.pow(q, z));
  }
  return 1 - sum;
}

/**
 * Double-spend success for the attacker the strategy actually runs: Rosenfeld's model (one
 * block pre-mined with the conflicting tx, then the payment; publish once the victim has z
 * confirmations and the private branch is longer) with its give-up bound: the attempt is
 * abandoned as soon as the honest chain is `giveUpBehind` blocks ahead (d = honest −
 * attacker ≥ giveUpBehind), before or after the z confirmations. Exact, by dynamic
 * programming over the race states while the honest chain has fewer than z blocks, then
 * the gambler's ruin between +1 (win) and −giveUpBehind (give up):
 *   P(win from lead L) = (1 − r^(L+G)) / (1 − r^(G+1)),  r = p/q   (L+G / G+1 when p = q)
 * Tends to rosenfeldDoubleSpend as giveUpBehind grows; q ≥ p still gives up sometimes.
 */
export function boundedDoubleSpend(q: number, z: number, giveUpBehind: number): number {
  const p = 1 - q;
  const G = giveUpBehind;
  if (q <= 0) return 0;
  if (q >= 1) return 1;
  const ruin = (lead: number): number => {
    // Absorbed at lead +1 (win) or −G (give up); lead counts attacker − honest.
    if (lead >= 1) return 1;
    if (lead <= -G) return 0;
    const x = lead + G;
    const N = G + 1;
    if (Math.abs(p - q) < 1e-12) return x / N;
    const r = p / q;
    // Large r^N: divide through to keep it finite.
    if (r > 1) return (Math.pow(1 / r, N - x) - Math.pow(1 / r, N)) / (1 - Math.pow(1 / r, N));
    return (1 - Math.pow(r, x)) / (1 - Math.pow(r, N));
  };
  // prob[a]: probability of the state (h honest blocks, a attacker blocks), h < z, not absorbed.
  // An attacker with a ≥ z + 1 before the z-th honest block has won: it publishes then.
  let win = 0;
  let prob = new Map<number, number>([[1, 1]]);
  for (let h = 0; h < z; h++) {
    const next = new Map<number, number>();
    for (const [a0, pr0] of prob) {
      // The attacker finds k more blocks before the next honest one: q^k p.
      let a = a0;
      let pr = pr0;
      for (;;) {
        if (a >= z + 1) {
          win += pr;
          break;
        }
        // The honest block: (h + 1, a).
        const mass = pr * p;
        if (h + 1 - a >= G) {
          // gave up
        } else if (h + 1 >= z) {
          win += mass * ruin(a - (h + 1));
        } else next.set(a, (next.get(a) ?? 0) + mass);
        pr *= q;
        a++;
        if (pr < 1e-18) break;
      }
    }
    prob = next;
  }
  if (z === 0) return ruin(1);
  return win;
}
