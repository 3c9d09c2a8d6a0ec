// Propagation delays as counts of values: exact percentiles while they are few distinct
// values (a mesh with fixed delays), log bins once there are many (random delays, relays).
/** Counts of delay values: exact percentiles when they are few distinct values. */
export class DelayCounter {
  private readonly counts = new Map<number, number>();
  private histogram: Float64Array | null = null;
  total = 0;

  add(value: number): void {
    this.total++;
    if (this.histogram) {
      this.histogram[DelayCounter.bin(value)]! += 1;
      return;
    }
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
    if (this.counts.size > 200_000) {
      // Too many distinct values: fall back to log bins (0.23% wide), from 1 µs to 10^6 s.
      this.histogram = new Float64Array(12_001);
      for (const [v, c] of this.counts) this.histogram[DelayCounter.bin(v)]! += c;
      this.counts.clear();
    }
  }

  private static bin(v: number): number {
    if (v <= 1e-6) return 0;
    return Math.min(12_000, Math.max(0, Math.floor((Math.log10(v) + 6) * 1000)));
  }

  /** The q-quantile (0..1), nearest rank; null when empty. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    if (this.histogram) {
      let seen = 0;
      for (let b = 0; b < this.histogram.length; b++) {
        seen += this.histogram[b]!;
        if (seen >= rank) return b === 0 ? 0 : 10 ** ((b + 0.5) / 1000 - 6);
      }
      return null;
    }
    const values = [...this.counts.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const v of values) {
      seen += this.counts.get(v)!;
      if (seen >= rank) return v;
    }
    return values[values.length - 1]!;
  }
}
