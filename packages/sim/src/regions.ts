// Geographic regions for the random (sparse) topology: where nodes are, the mean latency
// between regions and each region's bandwidth. The one preset, `bitcoin-2019`, is the
// measurement set SimBlock ships (Aoki et al., "SimBlock: A Blockchain Network Simulator",
// 2019): Bitcoin node locations by region, the mean one-way latencies between them and
// the regions' upload/download bandwidths, with 6 Mbit/s between different regions.
import { hashUniform } from './rng.js';

export interface RegionModel {
  names: readonly string[];
  /** Share of nodes in each region (sums to 1). */
  shares: readonly number[];
  /** Mean one-way latency from region i to region j, ms. */
  latencyMs: readonly (readonly number[])[];
  uploadBitsPerSecond: readonly number[];
  downloadBitsPerSecond: readonly number[];
  /** Cap on a link between two different regions. */
  interRegionBitsPerSecond: number;
}

const BITCOIN_2019: RegionModel = {
  names: ['north-america', 'europe', 'south-america', 'asia-pacific', 'japan', 'australia'],
  shares: [0.3316, 0.4998, 0.009, 0.1177, 0.0224, 0.0195],
  latencyMs: [
    [32, 124, 184, 198, 151, 189],
    [124, 11, 227, 237, 252, 294],
    [184, 227, 88, 325, 301, 322],
    [198, 237, 325, 85, 58, 198],
    [151, 252, 301, 58, 12, 126],
    [189, 294, 322, 198, 126, 16],
  ],
  uploadBitsPerSecond: [19.2e6, 20.7e6, 5.8e6, 15.7e6, 10.2e6, 11.3e6],
  downloadBitsPerSecond: [52e6, 40e6, 18e6, 22.8e6, 22.8e6, 29.9e6],
  interRegionBitsPerSecond: 6e6,
};

export const REGION_PRESETS: ReadonlyMap<string, RegionModel> = new Map([
  ['bitcoin-2019', BITCOIN_2019],
]);

export function regionPreset(name: string): RegionModel {
  const r = REGION_PRESETS.get(name);
  if (!r) throw new Error(`unknown region preset ${name}`);
  return r;
}

/** The region of each node: drawn by share, from the seed alone. */
export function nodeRegions(model: RegionModel, n: number, seed: number): Uint8Array {
  const cum: number[] = [];
  let sum = 0;
  for (const s of model.shares) cum.push((sum += s));
  const out = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const u = hashUniform(seed ^ 0x3c6ef372, j, 7) * sum;
    let r = 0;
    while (r < cum.length - 1 && cum[r]! <= u) r++;
    out[j] = r;
  }
  return out;
}
