#!/usr/bin/env node
// Generates the SHA-256d nonce-scan kernels:
//   src/kernel.generated.ts       - fully unrolled JavaScript, one nonce at a time
//   src/kernel-wasm.generated.ts  - WebAssembly SIMD (i32x4), four nonces at a time
//
// Why generated: a fully unrolled compression with its message words in locals is about
// twice as fast in V8 as a rolled loop over typed arrays, and a generator can fold what
// never changes. It evaluates the two compressions of a nonce symbolically; every value is
//   lit  - known now (IV, K, padding words)             -> folded into a constant
//   tmpl - fixed for a whole scan (midstate, header bytes 64..75)
//                                                       -> computed once, before the loop
//   var  - depends on the nonce                         -> computed in the loop
// so rounds 0-2 of the second block, most of round 3, the first schedule words and the
// zero / padding words of both blocks cost nothing per nonce. The final compression stops
// after round 60: the top word of the hash, H7 = IV7 + e(after round 60) (e moves to h in
// three rounds), is all the early-out needs; a candidate is re-hashed in full by the caller.
//
// Run: node scripts/gen-kernel.mjs   (package script: pnpm run gen)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
].map((x) => x | 0);
const IV = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
].map((x) => x | 0);

// ---- symbolic evaluation -------------------------------------------------------------------
// Values: { k: 'lit', v } | { k: 'tmpl' | 'var', ref } where ref names a bound statement, or
// an unbound node { k, node } (a bitwise function, only ever used as an operand of an add).
// Statements: { name, kind, node }, nodes: ['add', ...operands] | [fn, ...operands] with
// operands lit values or refs.
let counter = 0;
const pre = []; // tmpl statements (before the loop)
const body = []; // var statements (in the loop)
const lit = (v) => ({ k: 'lit', v: v | 0 });
const rank = { lit: 0, tmpl: 1, var: 2 };
const kindOf = (...xs) => xs.reduce((k, x) => (rank[x.k] > rank[k] ? x.k : k), 'lit');
function bind(kind, node) {
  const name = (kind === 'tmpl' ? 't' : 'v') + counter++;
  (kind === 'tmpl' ? pre : body).push({ name, kind, node });
  return { k: kind, ref: name };
}
const rotr = (x, n) => (x >>> n) | (x << (32 - n));
const F = {
  S0: (a) => rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22),
  S1: (e) => rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25),
  s0: (x) => rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3),
  s1: (x) => rotr(x, 17) ^ rotr(x, 19) ^ (x >>> 10),
  ch: (e, f, g) => g ^ (e & (f ^ g)),
  maj: (a, b, c) => (a & b) | (c & (a | b)),
};
/** A bitwise function of symbolic operands: folded if all are literals. */
function fn(name, ...args) {
  const kind = kindOf(...args);
  if (kind === 'lit') return lit(F[name](...args.map((a) => a.v)));
  return { k: kind, node: [name, ...args] };
}
/** Sum mod 2^32: literals folded, the tmpl part hoisted out of the loop as one statement. */
function add(...xs) {
  let c = 0;
  const tm = [];
  const vr = [];
  for (const x of xs) {
    if (x.k === 'lit') c = (c + x.v) | 0;
    else (x.k === 'tmpl' ? tm : vr).push(x);
  }
  if (vr.length === 0) {
    if (tm.length === 0) return lit(c);
    if (tm.length === 1 && c === 0 && tm[0].ref) return tm[0];
    return bind('tmpl', ['add', ...tm, ...(c ? [lit(c)] : [])]);
  }
  const terms = [...vr];
  if (tm.length > 0)
    terms.push(tm.length === 1 && c === 0 && tm[0].ref ? tm[0] : add(...tm, lit(c)));
  else if (c !== 0) terms.push(lit(c));
  if (terms.length === 1 && terms[0].ref) return terms[0];
  return bind('var', ['add', ...terms]);
}

/** One SHA-256 compression, symbolically: the working state after `rounds` rounds. */
function compress(state, w, rounds) {
  w = w.slice();
  let [a, b, c, d, e, f, g, h] = state;
  for (let i = 0; i < rounds; i++) {
    if (i >= 16) w[i] = add(fn('s1', w[i - 2]), w[i - 7], fn('s0', w[i - 15]), w[i - 16]);
    const t1 = add(h, fn('S1', e), fn('ch', e, f, g), lit(K[i]), w[i]);
    const t2 = add(fn('S0', a), fn('maj', a, b, c));
    [h, g, f, e, d, c, b, a] = [g, f, e, add(d, t1), c, b, a, add(t1, t2)];
  }
  return [a, b, c, d, e, f, g, h];
}

// Inputs: ctx words 0..7 midstate, 8..10 the header's bytes 64..75 as big-endian words.
const mid = IV.map((_, i) => bind('tmpl', ['load', i]));
const hw = [8, 9, 10].map((i) => bind('tmpl', ['load', i]));
const nonceWord = { k: 'var', ref: 'w3' }; // big-endian word of the little-endian nonce
const block2 = [...hw, nonceWord, lit(0x80000000), ...Array(10).fill(lit(0)), lit(640)];
const s2 = compress(mid, block2, 64);
const digest1 = s2.map((x, i) => add(mid[i], x));
const scanPre = pre.splice(0);
const scanBody = body.splice(0);
const dArgs = digest1.map((_, i) => ({ k: 'var', ref: `d${i}` }));
const block3 = [...dArgs, lit(0x80000000), ...Array(6).fill(lit(0)), lit(256)];
const s3 = compress(IV.map(lit), block3, 61);
const h7 = add(lit(IV[7]), s3[4]);
const finalBody = body.splice(0);
if (pre.length !== 0 || !h7.ref) throw new Error('unexpected shape of the final compression');

/** Drops statements whose value no root needs (e.g. the last rounds' `a` of the final hash). */
function deadCodeElimination(stmts, live) {
  const mark = (x) => {
    if (x.ref) live.add(x.ref);
    else if (x.node) x.node.slice(1).forEach((a) => typeof a === 'object' && mark(a));
  };
  const kept = [];
  for (let i = stmts.length - 1; i >= 0; i--) {
    const st = stmts[i];
    if (!live.has(st.name)) continue;
    kept.push(st);
    st.node.slice(1).forEach((a) => typeof a === 'object' && mark(a));
  }
  return kept.reverse();
}
const finalLive = new Set([h7.ref]);
const finalBodyLive = deadCodeElimination(finalBody, finalLive);
finalBody.splice(0, finalBody.length, ...finalBodyLive);
const scanLive = new Set(digest1.map((x) => x.ref));
const scanBodyLive = deadCodeElimination(scanBody, scanLive);
scanBody.splice(0, scanBody.length, ...scanBodyLive);
const scanPreLive = deadCodeElimination(scanPre, scanLive);
scanPre.splice(0, scanPre.length, ...scanPreLive);

// ---- JavaScript backend -------------------------------------------------------------------
const jsOperand = (x) => (x.k === 'lit' ? String(x.v) : x.ref ? x.ref : jsNode(x.node));
const r = (x, n) => `((${x} >>> ${n}) | (${x} << ${32 - n}))`;
const JS = {
  S0: (a) => `(${r(a, 2)} ^ ${r(a, 13)} ^ ${r(a, 22)})`,
  S1: (e) => `(${r(e, 6)} ^ ${r(e, 11)} ^ ${r(e, 25)})`,
  s0: (x) => `(${r(x, 7)} ^ ${r(x, 18)} ^ (${x} >>> 3))`,
  s1: (x) => `(${r(x, 17)} ^ ${r(x, 19)} ^ (${x} >>> 10))`,
  ch: (e, f, g) => `(${g} ^ (${e} & (${f} ^ ${g})))`,
  maj: (a, b, c) => `((${a} & ${b}) | (${c} & (${a} | ${b})))`,
};
function jsNode([op, ...args]) {
  if (op === 'load') return `ctx[${args[0]}]!`;
  if (op === 'add') return `(${args.map(jsOperand).join(' + ')}) | 0`;
  return JS[op](...args.map(jsOperand));
}
const jsStmt = (s) => `const ${s.name} = ${jsNode(s.node)};`;
const bswapJs = (x) =>
  `(${x} << 24) | ((${x} & 0xff00) << 8) | ((${x} >>> 8) & 0xff00) | (${x} >>> 24)`;

const jsOut = `// GENERATED by scripts/gen-kernel.mjs - do not edit; edit the generator and re-run it.
/**
 * Scans nonces [start, end) (end - start must stay well below 2^31) and returns the first
 * nonce whose SHA-256d hash has its most significant 32-bit word (the byte-reversed last
 * digest word) <= ctx[11] as unsigned, or -1. For a candidate, ctx[12..19] receives the first
 * SHA-256 digest so the caller can finish the second hash and compare in full.
 * ctx: 0..7 midstate, 8..10 the header's bytes 64..75 as big-endian words.
 */
// prettier-ignore
export function scanKernel(ctx: Int32Array, start: number, end: number): number {
  const targetTop = ctx[11]! >>> 0;
  ${scanPre.map(jsStmt).join('\n  ')}
  for (let n = start; n < end; n++) {
    const w3 = ${bswapJs('n')};
    ${scanBody.map(jsStmt).join('\n    ')}
    const h7 = finalTopWord(${digest1.map(jsOperand).join(', ')});
    const top = ${bswapJs('h7')};
    if (top >>> 0 <= targetTop) {
      ${digest1.map((x, i) => `ctx[${12 + i}] = ${jsOperand(x)};`).join('\n      ')}
      return n;
    }
  }
  return -1;
}

/**
 * The second SHA-256 (of the 32-byte first digest d0..d7), only as far as its last word H7:
 * rounds 0..60, H7 = IV7 + e (e becomes h three rounds later). A separate function because
 * V8 does not optimize a function of more than 60 KB of bytecode, and both compressions
 * unrolled in one loop body go past that.
 */
// prettier-ignore
function finalTopWord(${dArgs.map((d) => `${d.ref}: number`).join(', ')}): number {
  ${finalBody.map(jsStmt).join('\n  ')}
  return ${h7.ref};
}
`;

// ---- WebAssembly SIMD backend ---------------------------------------------------------------
// Four nonces per iteration, one per i32x4 lane. Exports `memory` and
// `scan(start: i32, count: i32) -> i32`: count a multiple of 4; returns the offset (from
// start) of the first nonce whose hash's top word <= the target's top word, or -1.
// Memory (bytes): 0..31 midstate, 32..43 header words 64..75, 44 target top word,
// 64..191 the 8 first-digest vectors of the candidate's group (word k, lane l at 64+16k+4l).
const uleb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n) => {
  const out = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};
const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  return: 0x0f,
  local_get: 0x20,
  local_set: 0x21,
  i32_const: 0x41,
  i32_ge_u: 0x4f,
  i32_ctz: 0x68,
  i32_add: 0x6a,
};
const simd = (code) => [0xfd, ...uleb(code)];
const S = {
  load32_splat: 0x09,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  splat: 0x11,
  le_u: 0x3e,
  xor: 0x51,
  or: 0x50,
  bitselect: 0x52,
  any_true: 0x53,
  bitmask: 0xa4,
  shl: 0xab,
  shr_u: 0xad,
  add: 0xae,
};
const memarg = (align, offset) => [...uleb(align), ...uleb(offset)];
const splatConst = (v) => {
  const b = [];
  for (let i = 0; i < 4; i++)
    b.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  return [...simd(S.const), ...b];
};
const BSWAP = [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12];

const PARAM_START = 0;
const PARAM_COUNT = 1;
const LOCAL_I = 2;
let nextLocal = 3; // v128 locals follow the one i32 local
const locals = new Map();
const local = (name) => {
  if (!locals.has(name)) locals.set(name, nextLocal++);
  return locals.get(name);
};
const get = (name) => [op.local_get, ...uleb(local(name))];
const set = (name) => [op.local_set, ...uleb(local(name))];

function wOperand(x) {
  if (x.k === 'lit') return splatConst(x.v);
  if (x.ref) return get(x.ref);
  return wNode(x.node);
}
const wRotr = (x, n) => [
  ...wOperand(x),
  op.i32_const,
  ...sleb(n),
  ...simd(S.shr_u),
  ...wOperand(x),
  op.i32_const,
  ...sleb(32 - n),
  ...simd(S.shl),
  ...simd(S.or),
];
const wShr = (x, n) => [...wOperand(x), op.i32_const, ...sleb(n), ...simd(S.shr_u)];
const xor3 = (a, b, c) => [...a, ...b, ...simd(S.xor), ...c, ...simd(S.xor)];
const W = {
  S0: (a) => xor3(wRotr(a, 2), wRotr(a, 13), wRotr(a, 22)),
  S1: (e) => xor3(wRotr(e, 6), wRotr(e, 11), wRotr(e, 25)),
  s0: (x) => xor3(wRotr(x, 7), wRotr(x, 18), wShr(x, 3)),
  s1: (x) => xor3(wRotr(x, 17), wRotr(x, 19), wShr(x, 10)),
  // bitselect(v1, v2, c) = (v1 & c) | (v2 & ~c)
  ch: (e, f, g) => [...wOperand(f), ...wOperand(g), ...wOperand(e), ...simd(S.bitselect)],
  // Maj(a, b, c): where a and b differ the majority is c, elsewhere it is b.
  maj: (a, b, c) => [
    ...wOperand(c),
    ...wOperand(b),
    ...wOperand(a),
    ...wOperand(b),
    ...simd(S.xor),
    ...simd(S.bitselect),
  ],
};
function wNode([name, ...args]) {
  if (name === 'load') {
    return [op.i32_const, 0, ...simd(S.load32_splat), ...memarg(2, 4 * args[0])];
  }
  if (name === 'add') {
    const code = [...wOperand(args[0])];
    for (const a of args.slice(1)) code.push(...wOperand(a), ...simd(S.add));
    return code;
  }
  return W[name](...args);
}
const wStmt = (s) => [...wNode(s.node), ...set(s.name)];

const code = [];
for (const s of scanPre) code.push(...wStmt(s));
// nvec = splat(start) + (0, 1, 2, 3); tt = splat(target top word)
code.push(op.local_get, PARAM_START, ...simd(S.splat));
code.push(
  ...simd(S.const),
  ...[0, 1, 2, 3].flatMap((l) => [l, 0, 0, 0]),
  ...simd(S.add),
  ...set('nvec'),
);
code.push(op.i32_const, 0, ...simd(S.load32_splat), ...memarg(2, 44), ...set('tt'));
code.push(op.block, 0x40, op.loop, 0x40);
code.push(op.local_get, LOCAL_I, op.local_get, PARAM_COUNT, op.i32_ge_u, op.br_if, 1);
code.push(...get('nvec'), ...get('nvec'), ...simd(S.shuffle), ...BSWAP, ...set('w3'));
for (const s of scanBody) code.push(...wStmt(s));
digest1.forEach((x, i) => code.push(...wOperand(x), ...set(`d${i}`)));
for (const s of finalBody) code.push(...wStmt(s));
code.push(
  ...get(h7.ref),
  ...get(h7.ref),
  ...simd(S.shuffle),
  ...BSWAP,
  ...get('tt'),
  ...simd(S.le_u),
  ...set('mask'),
);
code.push(...get('mask'), ...simd(S.any_true), op.if, 0x40);
for (let k = 0; k < 8; k++) {
  code.push(op.i32_const, 0, ...get(`d${k}`), ...simd(S.store), ...memarg(4, 64 + 16 * k));
}
code.push(
  op.local_get,
  LOCAL_I,
  ...get('mask'),
  ...simd(S.bitmask),
  op.i32_ctz,
  op.i32_add,
  op.return,
);
code.push(op.end);
code.push(...get('nvec'), ...splatConst(4), ...simd(S.add), ...set('nvec'));
code.push(op.local_get, LOCAL_I, op.i32_const, 4, op.i32_add, op.local_set, LOCAL_I);
code.push(op.br, 0, op.end, op.end);
code.push(op.i32_const, ...sleb(-1), op.end);

const localDecl = [2, ...uleb(1), I32, ...uleb(nextLocal - 3), V128];
const funcBody = [...localDecl, ...code];
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const vec = (items) => [...uleb(items.length), ...items.flat()];
const str = (s) => [...uleb(s.length), ...Buffer.from(s)];
const wasm = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  ...section(1, vec([[0x60, 2, I32, I32, 1, I32]])), // type 0: (i32, i32) -> i32
  ...section(3, vec([[0]])), // function 0 has type 0
  ...section(5, vec([[0x00, 1]])), // memory 0: min 1 page
  ...section(
    7,
    vec([
      [...str('scan'), 0x00, 0],
      [...str('memory'), 0x02, 0],
    ]),
  ),
  ...section(10, vec([[...uleb(funcBody.length), ...funcBody]])),
]);
if (!WebAssembly.validate(wasm)) throw new Error('generated wasm does not validate');

const b64 = Buffer.from(wasm).toString('base64');
const lines = b64.match(/.{1,96}/g).map((l) => `  '${l}' +`);
lines[lines.length - 1] = lines[lines.length - 1].slice(0, -2);
const wasmOut = `// GENERATED by scripts/gen-kernel.mjs - do not edit; edit the generator and re-run it.
/**
 * WebAssembly SIMD (i32x4) nonce-scan kernel, ${wasm.length} bytes: four nonces per iteration.
 * Exports \`memory\` and \`scan(start, count) -> offset | -1\` (count a multiple of 4).
 * Memory: 0..31 midstate, 32..43 header words 64..75 (big-endian), 44 target top word,
 * 64..191 the first digests of the candidate's group (word k, lane l at 64 + 16k + 4l).
 */
// prettier-ignore
export const KERNEL_WASM_BASE64 =
${lines.join('\n')};
`;

const jsDest = fileURLToPath(new URL('../src/kernel.generated.ts', import.meta.url));
const wasmDest = fileURLToPath(new URL('../src/kernel-wasm.generated.ts', import.meta.url));
writeFileSync(jsDest, jsOut);
writeFileSync(wasmDest, wasmOut);
console.log(
  `JS kernel: ${scanPre.length} hoisted, ${scanBody.length} + ${finalBody.length} per-nonce statements; ` +
    `wasm kernel: ${wasm.length} bytes, ${nextLocal} locals`,
);
