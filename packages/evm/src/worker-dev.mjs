// Starts the EVM worker from the TypeScript sources (vitest runs the package from src/,
// and Node 20 cannot run .ts by itself): registers a loader that transpiles .ts files
// with the TypeScript compiler and maps @chainlab/core to its sources, then loads
// worker.ts. The built package (dist/) starts dist/worker.js directly and never uses this.
import { register } from 'node:module';

register('./dev-loader.mjs', import.meta.url);
await import('./worker.ts');
