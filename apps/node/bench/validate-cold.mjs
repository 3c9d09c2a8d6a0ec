// Core's validation rate in a fresh process, as a syncing node meets it: V8 has compiled
// nothing yet. network.bench.mjs runs it beside its in-process (warm) baseline, so sync is
// compared like for like. Prints blocks/s.
//   node apps/node/bench/validate-cold.mjs <spec.json> <blocks.json>
import { readFileSync } from 'node:fs';
import * as core from '../../../packages/core/dist/index.js';

const [specPath, blocksPath] = process.argv.slice(2);
const spec = core.loadSpec(JSON.parse(readFileSync(specPath, 'utf8')));
// Parsed before the clock starts: a node decodes its catch-up batches too, but that is
// part of what the sync figure measures, not of this baseline.
const blocks = JSON.parse(readFileSync(blocksPath, 'utf8')).map((b) => core.parseBlock(b, spec));
const chain = new core.Chain(spec, new core.NoState());
const start = performance.now();
for (const b of blocks) chain.processBlock(b, { now: 4e9 });
process.stdout.write(String(blocks.length / ((performance.now() - start) / 1000)));
