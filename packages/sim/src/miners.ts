// Who mines now and how much: the online nodes' hash shares as a cumulative table, so one
// uniform draw picks the candidate block's miner in O(log n).
export class MinerTable {
  /** Each node's hash share (a hashShare fault changes it). */
  readonly share: Float64Array;
  private index: number[] = [];
  private cum: number[] = [];
  /** Σ share over the online miners. */
  total = 0;

  constructor(shares: readonly number[]) {
    this.share = Float64Array.from(shares);
  }

  /** Rebuilds the table after a node went down or up, or a share changed. */
  rebuild(online: Uint8Array): void {
    this.index = [];
    this.cum = [];
    let sum = 0;
    for (let j = 0; j < this.share.length; j++) {
      if (!online[j] || this.share[j]! <= 0) continue;
      sum += this.share[j]!;
      this.index.push(j);
      this.cum.push(sum);
    }
    this.total = sum;
  }

  /** The miner for a uniform draw `u` in [0, 1), by hash share. */
  pick(u: number): number {
    const x = u * this.total;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.index[lo]!;
  }
}
