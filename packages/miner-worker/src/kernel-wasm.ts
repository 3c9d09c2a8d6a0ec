// Loads the generated WebAssembly SIMD kernel (four nonces per i32x4 lane group), once per
// thread, synchronously (the module is ~35 KB; compiling it takes under a millisecond
// because V8 compiles wasm lazily and tiers up in the background).
import { KERNEL_WASM_BASE64 } from './kernel-wasm.generated.js';

export interface WasmKernel {
  /** Memory as words: 0..7 midstate, 8..10 header words, 11 target top, 16.. candidate digests. */
  readonly mem: Int32Array;
  /** Scans `count` (a multiple of 4) nonces from `start`; the candidate's offset, or -1. */
  scan(start: number, count: number): number;
}

/** Word index of candidate digest word k, lane l: CANDIDATE_BASE + 4 * k + l. */
export const CANDIDATE_BASE = 16;

// The WebAssembly global, typed minimally (this package compiles without lib.dom).
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};
interface KernelExports {
  scan: (start: number, count: number) => number;
  memory: { buffer: ArrayBuffer };
}

let cached: WasmKernel | null | undefined;
let loadError: unknown;

function decodeBase64(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/** The kernel of this thread, or null when WebAssembly SIMD is unavailable. */
export function wasmKernel(): WasmKernel | null {
  if (cached !== undefined) return cached;
  try {
    const bytes = decodeBase64(KERNEL_WASM_BASE64);
    if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) {
      cached = null;
      return cached;
    }
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const exports = instance.exports as unknown as KernelExports;
    cached = { mem: new Int32Array(exports.memory.buffer, 0, 64), scan: exports.scan };
  } catch (error) {
    loadError = error;
    cached = null;
  }
  return cached;
}

/** Why wasmKernel() returned null, if it threw. */
export function wasmKernelError(): unknown {
  return loadError;
}
