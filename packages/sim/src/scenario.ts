// Scenario files: what an experiment runs, for the simulator (--sim) and for real processes
// (--real) alike. The input is the object a YAML or JSON file parses to; parseScenario
// checks every field and says which one is wrong ("scenario: nodes[2].hashShare: ..."), and
// returns a normalised Scenario (groups expanded, shares resolved, defaults filled in).
// The format is documented in docs/experiments.md.
import { loadSpec, SpecError, type ChainSpec } from '@chainlab/core';
import { ScenarioError } from './errors.js';
import { REGION_PRESETS } from './regions.js';
import { parseStrategy, type StrategySpec } from './strategies/index.js';

export { ScenarioError };

export interface NodeSpec {
  id: string;
  /** The entry the node came from (its own id, or the id of a `count` group). */
  group: string;
  /** Share of the initial total hash rate (all shares sum to 1). */
  hashShare: number;
  strategy: StrategySpec;
}

/** A per-pair delay rule: every link between a node of `a` and a node of `b`. */
export interface LinkRule {
  a: string[];
  b: string[];
  delayMs: number;
}

export type DelaySpec =
  { kind: 'fixed'; ms: number } | { kind: 'uniform'; minMs: number; maxMs: number };

export type Topology = { kind: 'mesh' } | { kind: 'random'; degree: number };

export interface NetworkSpec {
  /** One-way delay of a link without a rule in `links`. */
  delay: DelaySpec;
  topology: Topology;
  links: LinkRule[];
  /**
   * Block transfer time = bytes / bandwidth: once per delivery in a mesh, once per hop in
   * the random topology (null: none).
   */
  bandwidthBytesPerSecond: number | null;
  /** Region preset (random topology): per-region latencies and per-node bandwidth. */
  regions: string | null;
  /** Random topology: time a node spends on a block before relaying it (validation), ms. */
  hopDelayMs: number;
}

export type Trigger = { height: number } | { seconds: number };

export type FaultAction =
  | { kind: 'kill'; nodes: string[]; restartAfter: { seconds: number } | { blocks: number } | null }
  | { kind: 'partition'; groups: string[][] }
  | { kind: 'heal' }
  | { kind: 'hashShare'; shares: Record<string, number> };

export type Fault = { at: Trigger } & FaultAction;

export interface StopSpec {
  /** Blocks mined in all (stale and private ones included). */
  blocks?: number;
  /** Height of the best published chain. */
  height?: number;
  /** Simulated (or, for --real, wall-clock) seconds. */
  seconds?: number;
}

export interface LoadSpec {
  txPerSecond: number;
  txBytes: number;
}

export interface SimOptions {
  /** Expected hashes per block at the genesis difficulty (the scale of simulated PoW). */
  genesisWork: number;
  /** Every node owns a full core Chain and the light views are checked against it (slow). */
  verify: boolean;
  /** Size every block has on the network (e.g. 1 MB), whatever it carries; null: its own size. */
  blockBytes: number | null;
}

export interface RealOptions {
  /** Hash rate of the whole network, H/s, split by hash share (per-node --max-hashrate). */
  totalHashrate: number;
  /** Chain-spec overrides applied on top of `chain` for real runs (e.g. a short block interval). */
  chain: Record<string, unknown>;
  /** Stop condition for real runs (default: the scenario's). */
  stop: StopSpec;
  /** Give up waiting for the stop condition after this long. */
  timeoutSeconds: number;
  /** Seconds the nodes keep mining after the stop, so queued data gets into blocks. */
  drainSeconds: number;
  /** The nodes' REST poll interval (their fallback to gossip); long, so delays stay in force. */
  pollIntervalMs: number;
  /** One-way delay of every link for real runs (default: the scenario's network delays). */
  delayMs: number | null;
}

export interface SweepDim {
  key: string;
  values: unknown[];
}

export type AnalysisKind =
  | 'selfish-mining'
  | 'stale-rate'
  | 'difficulty-shock'
  | 'partition-heal'
  | 'double-spend'
  | 'bitcoin-network';
export const ANALYSIS_KINDS: readonly AnalysisKind[] = [
  'bitcoin-network',
  'double-spend',
  'selfish-mining',
  'stale-rate',
  'difficulty-shock',
  'partition-heal',
];

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  /** Chain-spec overrides (core's spec fields), on top of devnet-data. */
  chain: Record<string, unknown>;
  network: NetworkSpec;
  nodes: NodeSpec[];
  /** Group id → member node ids (every node id is also a group of itself). */
  groups: Record<string, string[]>;
  faults: Fault[];
  load: LoadSpec;
  stop: StopSpec;
  sim: SimOptions;
  real: RealOptions;
  sweep: SweepDim[];
  analysis: AnalysisKind | null;
}

// ---- readers ----

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function obj(v: unknown, path: string, known: readonly string[]): Json {
  if (!isObject(v)) throw new ScenarioError(path, `must be an object, got ${show(v)}`);
  for (const key of Object.keys(v)) {
    if (!known.includes(key))
      throw new ScenarioError(
        path ? `${path}.${key}` : key,
        `unknown field (expected one of ${known.join(', ')})`,
      );
  }
  return v;
}

function num(
  v: unknown,
  path: string,
  min: number,
  max: number,
  opts: { integer?: boolean; openMin?: boolean } = {},
): number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (opts.openMin ? v > min : v >= min) &&
    v <= max &&
    (!opts.integer || Number.isInteger(v));
  if (!ok) {
    const what = opts.integer ? 'an integer' : 'a number';
    const lo = opts.openMin ? `> ${min}` : `≥ ${min}`;
    throw new ScenarioError(path, `must be ${what} ${lo} and ≤ ${max}, got ${show(v)}`);
  }
  return v as number;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0)
    throw new ScenarioError(path, `must be a non-empty string, got ${show(v)}`);
  return v;
}

const ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

function id(v: unknown, path: string): string {
  const s = str(v, path);
  if (!ID.test(s))
    throw new ScenarioError(
      path,
      `must be an id (a letter, then letters, digits, _ or -), got ${show(v)}`,
    );
  return s;
}

function trigger(v: unknown, path: string): Trigger {
  const o = obj(v, path, ['height', 'seconds']);
  if ((o.height === undefined) === (o.seconds === undefined)) {
    throw new ScenarioError(path, 'must be {"height": n} or {"seconds": s}');
  }
  if (o.height !== undefined)
    return { height: num(o.height, `${path}.height`, 0, 1e9, { integer: true }) };
  return { seconds: num(o.seconds, `${path}.seconds`, 0, 1e12) };
}

function stop(v: unknown, path: string): StopSpec {
  const o = obj(v, path, ['blocks', 'height', 'seconds']);
  const out: StopSpec = {};
  if (o.blocks !== undefined)
    out.blocks = num(o.blocks, `${path}.blocks`, 1, 1e8, { integer: true });
  if (o.height !== undefined)
    out.height = num(o.height, `${path}.height`, 1, 1e8, { integer: true });
  if (o.seconds !== undefined)
    out.seconds = num(o.seconds, `${path}.seconds`, 0, 1e12, { openMin: true });
  if (Object.keys(out).length === 0)
    throw new ScenarioError(path, 'needs at least one of blocks, height, seconds');
  return out;
}

function delay(v: unknown, path: string): DelaySpec {
  if (typeof v === 'number') return { kind: 'fixed', ms: num(v, path, 0, 1e9) };
  const o = obj(v, path, ['uniform']);
  const u = o.uniform;
  if (!Array.isArray(u) || u.length !== 2)
    throw new ScenarioError(`${path}.uniform`, 'must be [minMs, maxMs]');
  const minMs = num(u[0], `${path}.uniform[0]`, 0, 1e9);
  const maxMs = num(u[1], `${path}.uniform[1]`, minMs, 1e9);
  return { kind: 'uniform', minMs, maxMs };
}

// ---- the scenario ----

const TOP_FIELDS = [
  'name',
  'description',
  'seed',
  'chain',
  'network',
  'nodes',
  'faults',
  'load',
  'stop',
  'sim',
  'real',
  'sweep',
  'analysis',
] as const;

const SIM_CHAIN_FORBIDDEN = ['extends', 'level', 'genesis', 'powLimitBits', 'devKeys'];

/**
 * The chain spec a scenario's `chain` overrides give (level 1, on top of devnet-data), with
 * `genesisBits` and `powLimitBits` set by the caller (simulated or real proof of work).
 * Real double-spend runs need transfers: they pass base 'devnet' (level 2, dev accounts).
 */
export function scenarioSpec(
  chain: Record<string, unknown>,
  opts: {
    name: string;
    genesisBits: number;
    powLimitBits: number;
    genesisTime?: number;
    base?: 'devnet-data' | 'devnet';
  },
): ChainSpec {
  try {
    return loadSpec({
      ...chain,
      extends: opts.base ?? 'devnet-data',
      name: opts.name,
      genesis:
        opts.genesisTime === undefined
          ? { bits: opts.genesisBits }
          : { bits: opts.genesisBits, time: opts.genesisTime },
      powLimitBits: opts.powLimitBits,
    });
  } catch (e) {
    if (e instanceof SpecError)
      throw new ScenarioError(`chain.${e.field}`, e.message.replace(/^chain spec: [^:]*: /, ''));
    throw e;
  }
}

function chainOverrides(v: unknown, path: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (!isObject(v))
    throw new ScenarioError(path, 'must be an object of chain-spec fields (docs/protocol.md §9)');
  for (const key of SIM_CHAIN_FORBIDDEN) {
    if (v[key] !== undefined)
      throw new ScenarioError(
        `${path}.${key}`,
        'is set by the experiment runner (level 1, genesis difficulty from the hash rate)',
      );
  }
  // Validate now, so a bad override is reported before anything runs.
  scenarioSpec(v, { name: 'check', genesisBits: 0x1f00ffff, powLimitBits: 0x207fffff });
  return v;
}

interface RawNode {
  path: string;
  id: string;
  count: number;
  share: { per: number } | { total: number } | null;
  strategy: StrategySpec;
}

function nodesOf(v: unknown): { nodes: NodeSpec[]; groups: Record<string, string[]> } {
  if (!Array.isArray(v) || v.length === 0)
    throw new ScenarioError('nodes', 'must be a non-empty list of nodes');
  const raws: RawNode[] = v.map((entry, i) => {
    const path = `nodes[${i}]`;
    const o = obj(entry, path, ['id', 'count', 'hashShare', 'totalHashShare', 'strategy']);
    const count =
      o.count === undefined ? 1 : num(o.count, `${path}.count`, 1, 100_000, { integer: true });
    if (o.hashShare !== undefined && o.totalHashShare !== undefined) {
      throw new ScenarioError(
        path,
        'give hashShare (per node) or totalHashShare (for the whole group), not both',
      );
    }
    const share =
      o.hashShare !== undefined
        ? { per: num(o.hashShare, `${path}.hashShare`, 0, 1) }
        : o.totalHashShare !== undefined
          ? { total: num(o.totalHashShare, `${path}.totalHashShare`, 0, 1) }
          : null;
    return {
      path,
      id: id(o.id, `${path}.id`),
      count,
      share,
      strategy: parseStrategy(o.strategy ?? 'honest', `${path}.strategy`),
    };
  });
  let explicit = 0;
  let rest = 0;
  for (const r of raws) {
    if (r.share === null) rest += r.count;
    else explicit += 'per' in r.share ? r.share.per * r.count : r.share.total;
  }
  const EPS = 1e-9;
  if (explicit > 1 + EPS)
    throw new ScenarioError('nodes', `hash shares add up to ${+explicit.toFixed(9)}, more than 1`);
  if (rest === 0 && Math.abs(explicit - 1) > 1e-6) {
    throw new ScenarioError(
      'nodes',
      `hash shares add up to ${+explicit.toFixed(9)}, not 1 (leave one node's hashShare out to give it the remainder)`,
    );
  }
  const remainder = rest > 0 ? Math.max(0, 1 - explicit) / rest : 0;
  const nodes: NodeSpec[] = [];
  const groups: Record<string, string[]> = {};
  const seen = new Set<string>();
  const claim = (name: string, path: string) => {
    if (seen.has(name)) throw new ScenarioError(path, `id ${show(name)} is used twice`);
    seen.add(name);
  };
  for (const r of raws) {
    const share =
      r.share === null ? remainder : 'per' in r.share ? r.share.per : r.share.total / r.count;
    const members: string[] = [];
    if (r.count === 1) {
      claim(r.id, `${r.path}.id`);
      members.push(r.id);
    } else {
      claim(r.id, `${r.path}.id`);
      for (let k = 1; k <= r.count; k++) {
        const nodeId = `${r.id}${k}`;
        claim(nodeId, `${r.path}.id`);
        members.push(nodeId);
      }
    }
    for (const m of members) {
      nodes.push({ id: m, group: r.id, hashShare: share, strategy: r.strategy });
      groups[m] = [m];
    }
    groups[r.id] = members;
  }
  return { nodes, groups };
}

function selector(v: unknown, path: string, groups: Record<string, string[]>): string[] {
  const names = Array.isArray(v) ? v : [v];
  if (names.length === 0) throw new ScenarioError(path, 'names no node');
  const out = new Set<string>();
  names.forEach((n, i) => {
    const p = Array.isArray(v) ? `${path}[${i}]` : path;
    if (n === '*') {
      for (const [g, members] of Object.entries(groups))
        if (members.length === 1 && members[0] === g) out.add(g);
      return;
    }
    const members = groups[str(n, p)];
    if (!members) throw new ScenarioError(p, `unknown node or group ${show(n)}`);
    for (const m of members) out.add(m);
  });
  return [...out];
}

function networkOf(v: unknown, groups: Record<string, string[]>): NetworkSpec {
  const o = obj(v ?? {}, 'network', [
    'delayMs',
    'topology',
    'links',
    'bandwidthBytesPerSecond',
    'regions',
    'hopDelayMs',
  ]);
  let topology: Topology = { kind: 'mesh' };
  if (o.topology !== undefined && o.topology !== 'mesh') {
    const t = obj(o.topology, 'network.topology', ['random']);
    const r = obj(t.random, 'network.topology.random', ['degree']);
    topology = {
      kind: 'random',
      degree: num(r.degree, 'network.topology.random.degree', 1, 1000, { integer: true }),
    };
  }
  const links: LinkRule[] = [];
  if (o.links !== undefined) {
    if (!Array.isArray(o.links))
      throw new ScenarioError('network.links', 'must be a list of {between: [a, b], delayMs}');
    o.links.forEach((l, i) => {
      const p = `network.links[${i}]`;
      const lo = obj(l, p, ['between', 'delayMs']);
      if (!Array.isArray(lo.between) || lo.between.length !== 2)
        throw new ScenarioError(
          `${p}.between`,
          'must be [a, b] (node or group ids, or lists of them)',
        );
      links.push({
        a: selector(lo.between[0], `${p}.between[0]`, groups),
        b: selector(lo.between[1], `${p}.between[1]`, groups),
        delayMs: num(lo.delayMs, `${p}.delayMs`, 0, 1e9),
      });
    });
  }
  let regions: string | null = null;
  if (o.regions !== undefined) {
    regions = str(o.regions, 'network.regions');
    if (!REGION_PRESETS.has(regions))
      throw new ScenarioError(
        'network.regions',
        `unknown region preset ${show(regions)} (known: ${[...REGION_PRESETS.keys()].join(', ')})`,
      );
    if (topology.kind !== 'random')
      throw new ScenarioError('network.regions', 'needs topology: { random: { degree: n } }');
    if (o.bandwidthBytesPerSecond !== undefined)
      throw new ScenarioError(
        'network.bandwidthBytesPerSecond',
        "regions set each node's bandwidth; leave bandwidthBytesPerSecond out",
      );
    if (o.delayMs !== undefined)
      throw new ScenarioError('network.delayMs', 'regions set the link delays; leave delayMs out');
  }
  const hopDelayMs = num(o.hopDelayMs ?? 0, 'network.hopDelayMs', 0, 1e9);
  if (hopDelayMs > 0 && topology.kind !== 'random')
    throw new ScenarioError('network.hopDelayMs', 'needs topology: { random: { degree: n } }');
  return {
    regions,
    hopDelayMs,
    delay: delay(o.delayMs ?? 0, 'network.delayMs'),
    topology,
    links,
    bandwidthBytesPerSecond:
      o.bandwidthBytesPerSecond === undefined
        ? null
        : num(o.bandwidthBytesPerSecond, 'network.bandwidthBytesPerSecond', 0, 1e15, {
            openMin: true,
          }),
  };
}

function faultsOf(v: unknown, groups: Record<string, string[]>): Fault[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ScenarioError('faults', 'must be a list');
  return v.map((f, i): Fault => {
    const p = `faults[${i}]`;
    const o = obj(f, p, ['at', 'kill', 'restartAfter', 'partition', 'heal', 'hashShare']);
    if (o.at === undefined)
      throw new ScenarioError(`${p}.at`, 'is required: {"height": n} or {"seconds": s}');
    const at = trigger(o.at, `${p}.at`);
    const actions = ['kill', 'partition', 'heal', 'hashShare'].filter((k) => o[k] !== undefined);
    if (actions.length !== 1)
      throw new ScenarioError(p, 'needs exactly one of kill, partition, heal, hashShare');
    if (o.restartAfter !== undefined && o.kill === undefined)
      throw new ScenarioError(`${p}.restartAfter`, 'only goes with kill');
    switch (actions[0]) {
      case 'kill': {
        let restartAfter: { seconds: number } | { blocks: number } | null = null;
        if (o.restartAfter !== undefined) {
          const r = obj(o.restartAfter, `${p}.restartAfter`, ['seconds', 'blocks']);
          if ((r.seconds === undefined) === (r.blocks === undefined))
            throw new ScenarioError(`${p}.restartAfter`, 'must be {"seconds": s} or {"blocks": n}');
          restartAfter =
            r.seconds !== undefined
              ? { seconds: num(r.seconds, `${p}.restartAfter.seconds`, 0, 1e12) }
              : { blocks: num(r.blocks, `${p}.restartAfter.blocks`, 1, 1e9, { integer: true }) };
        }
        return { at, kind: 'kill', nodes: selector(o.kill, `${p}.kill`, groups), restartAfter };
      }
      case 'partition': {
        if (!Array.isArray(o.partition) || o.partition.length < 1)
          throw new ScenarioError(`${p}.partition`, 'must be a list of groups, e.g. [[a, b], [c]]');
        const used = new Set<string>();
        const parts = o.partition.map((g, k) => {
          const members = selector(g, `${p}.partition[${k}]`, groups);
          for (const m of members) {
            if (used.has(m))
              throw new ScenarioError(`${p}.partition[${k}]`, `node ${m} is in two groups`);
            used.add(m);
          }
          return members;
        });
        return { at, kind: 'partition', groups: parts };
      }
      case 'heal':
        if (o.heal !== true) throw new ScenarioError(`${p}.heal`, 'must be true');
        return { at, kind: 'heal' };
      default: {
        if (!isObject(o.hashShare))
          throw new ScenarioError(
            `${p}.hashShare`,
            'must map node or group ids to new hash shares',
          );
        const shares: Record<string, number> = {};
        for (const [name, value] of Object.entries(o.hashShare)) {
          if (!groups[name])
            throw new ScenarioError(
              `${p}.hashShare.${name}`,
              `unknown node or group ${show(name)}`,
            );
          const share = num(value, `${p}.hashShare.${name}`, 0, 1);
          for (const m of groups[name]!) shares[m] = share;
        }
        return { at, kind: 'hashShare', shares };
      }
    }
  });
}

function sweepOf(v: unknown): SweepDim[] {
  if (v === undefined || v === null) return [];
  if (!isObject(v))
    throw new ScenarioError(
      'sweep',
      'must map a dotted key (e.g. nodes.pool.hashShare) to a list of values',
    );
  return Object.entries(v).map(([key, values]) => {
    if (!Array.isArray(values) || values.length === 0)
      throw new ScenarioError(`sweep.${key}`, 'must be a non-empty list of values');
    return { key, values };
  });
}

/**
 * A --real run of a scenario whose simulated form would not fit on one machine (a hundred
 * miners, a 21-point sweep): `real.scenario` holds top-level fields (nodes, network, stop,
 * sweep, ...) that replace the scenario's; `sweep: null` runs a single point.
 */
export function applyRealScenario(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const o = input as Record<string, unknown>;
  const real = o.real as Record<string, unknown> | undefined;
  if (!real || typeof real !== 'object' || real.scenario === undefined) return input;
  const replace = real.scenario;
  if (typeof replace !== 'object' || replace === null || Array.isArray(replace))
    throw new ScenarioError('real.scenario', 'must be a map of top-level scenario fields');
  const { scenario: _replaced, ...realRest } = real;
  const out: Record<string, unknown> = { ...o, ...(replace as Record<string, unknown>) };
  out.real = realRest;
  for (const [k, v] of Object.entries(out)) if (v === null) delete out[k];
  return out;
}

/** Validates a parsed scenario file. Sweeps are kept, not expanded (see expandSweep). */
export function parseScenario(input: unknown): Scenario {
  const o = obj(input, '', TOP_FIELDS);
  const name = o.name === undefined ? 'scenario' : id(o.name, 'name');
  const { nodes, groups } = nodesOf(o.nodes);
  const simIn = obj(o.sim ?? {}, 'sim', ['genesisWork', 'verify', 'blockBytes']);
  const realIn = obj(o.real ?? {}, 'real', [
    // Top-level fields that replace the scenario's in --real runs (applyRealScenario).
    'scenario',
    'totalHashrate',
    'chain',
    'stop',
    'timeoutSeconds',
    'drainSeconds',
    'pollIntervalMs',
    'delayMs',
  ]);
  const loadIn = obj(o.load ?? {}, 'load', ['txPerSecond', 'txBytes']);
  const chain = chainOverrides(o.chain, 'chain');
  if (
    realIn.scenario !== undefined &&
    (typeof realIn.scenario !== 'object' ||
      realIn.scenario === null ||
      Array.isArray(realIn.scenario))
  )
    throw new ScenarioError('real.scenario', 'must be a map of top-level scenario fields');
  const realChain = chainOverrides(realIn.chain, 'real.chain');
  chainOverrides({ ...chain, ...realChain }, 'real.chain');
  if (o.stop === undefined) throw new ScenarioError('stop', 'is required, e.g. {"blocks": 10000}');
  const scenarioStop = stop(o.stop, 'stop');
  const analysis =
    o.analysis === undefined || o.analysis === null ? null : str(o.analysis, 'analysis');
  if (analysis !== null && !(ANALYSIS_KINDS as readonly string[]).includes(analysis)) {
    throw new ScenarioError(
      'analysis',
      `must be one of ${ANALYSIS_KINDS.join(', ')}, got ${show(analysis)}`,
    );
  }
  return {
    name,
    description: o.description === undefined ? '' : str(o.description, 'description'),
    seed:
      o.seed === undefined ? 1 : num(o.seed, 'seed', 0, Number.MAX_SAFE_INTEGER, { integer: true }),
    chain,
    network: networkOf(o.network, groups),
    nodes,
    groups,
    faults: faultsOf(o.faults, groups),
    load: {
      txPerSecond: num(loadIn.txPerSecond ?? 0, 'load.txPerSecond', 0, 1e9),
      txBytes: num(loadIn.txBytes ?? 250, 'load.txBytes', 1, 4096, { integer: true }),
    },
    stop: scenarioStop,
    sim: {
      genesisWork: num(simIn.genesisWork ?? 64, 'sim.genesisWork', 4, 1 << 24, { integer: true }),
      blockBytes:
        simIn.blockBytes === undefined
          ? null
          : num(simIn.blockBytes, 'sim.blockBytes', 81, 1e9, { integer: true }),
      verify:
        simIn.verify === undefined
          ? false
          : simIn.verify === true
            ? true
            : simIn.verify === false
              ? false
              : (() => {
                  throw new ScenarioError('sim.verify', 'must be true or false');
                })(),
    },
    real: {
      totalHashrate: num(realIn.totalHashrate ?? 20_000, 'real.totalHashrate', 1, 1e12),
      chain: realChain,
      stop: realIn.stop === undefined ? scenarioStop : stop(realIn.stop, 'real.stop'),
      timeoutSeconds: num(realIn.timeoutSeconds ?? 300, 'real.timeoutSeconds', 1, 86_400),
      drainSeconds: num(realIn.drainSeconds ?? 3, 'real.drainSeconds', 0, 3600),
      pollIntervalMs: num(realIn.pollIntervalMs ?? 30_000, 'real.pollIntervalMs', 100, 3_600_000, {
        integer: true,
      }),
      delayMs:
        realIn.delayMs === undefined ? null : num(realIn.delayMs, 'real.delayMs', 0, 600_000),
    },
    sweep: sweepOf(o.sweep),
    analysis: analysis as AnalysisKind | null,
  };
}

// ---- --set and sweeps (on the raw object, before parseScenario) ----

/**
 * Sets `value` at a dotted path of a raw scenario object. A path segment that is not a
 * key of the current object selects, in a list, the element with that `id` (or index):
 * `nodes.pool.hashShare`, `faults.0.at.height`, `chain.retarget.windowBlocks`.
 * Missing objects on the way are created. Returns a modified deep copy.
 */
export function setPath(raw: unknown, path: string, value: unknown): Json {
  const root = structuredClone(raw) as Json;
  if (!isObject(root)) throw new ScenarioError('', 'must be an object');
  const parts = path.split('.');
  if (parts.some((p) => p === ''))
    throw new ScenarioError(path, 'is not a dotted key like nodes.pool.hashShare');
  let cur: unknown = root;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    const at = parts.slice(0, i + 1).join('.');
    if (Array.isArray(cur)) {
      let index = cur.findIndex((e) => isObject(e) && e.id === part);
      if (index < 0 && /^\d+$/.test(part)) index = Number(part);
      if (index < 0 || index >= cur.length)
        throw new ScenarioError(at, `no element with id or index ${show(part)}`);
      if (last) cur[index] = value;
      else cur = cur[index];
    } else if (isObject(cur)) {
      if (last) cur[part] = value;
      else {
        if (cur[part] === undefined || cur[part] === null) cur[part] = {};
        cur = cur[part];
      }
    } else {
      throw new ScenarioError(at, `cannot set a field inside ${show(cur)}`);
    }
  }
  return root;
}

export interface SweepPoint {
  /** Sweep key → value of this point (empty for a scenario without a sweep). */
  params: Record<string, unknown>;
  /** A short, file-name-safe label, e.g. `hashShare=0.3_gamma=0.5`. */
  label: string;
  /** The raw scenario with the point's values set and no sweep left. */
  raw: Json;
}

function labelValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  if (isObject(v)) return Object.values(v).map(labelValue).join('-');
  return JSON.stringify(v);
}

/** The cartesian product of a raw scenario's sweep; one point (itself) without a sweep. */
export function expandSweep(raw: unknown): SweepPoint[] {
  const base = structuredClone(raw) as Json;
  const dims = sweepOf(base.sweep);
  delete base.sweep;
  let points: SweepPoint[] = [{ params: {}, label: '', raw: base }];
  for (const dim of dims) {
    const next: SweepPoint[] = [];
    for (const p of points) {
      for (const value of dim.values) {
        const short = dim.key.split('.').pop()!;
        const part = `${short}=${labelValue(value)}`.replace(/[^A-Za-z0-9=._-]/g, '_');
        next.push({
          params: { ...p.params, [dim.key]: value },
          label: p.label ? `${p.label}_${part}` : part,
          raw: setPath(p.raw, dim.key, value),
        });
      }
    }
    points = next;
  }
  return points;
}

/** Applies --set overrides; a key that is also swept replaces that sweep dimension. */
export function applySets(raw: unknown, sets: readonly [string, unknown][]): Json {
  let out = structuredClone(raw) as Json;
  for (const [key, value] of sets) {
    if (isObject(out.sweep)) {
      // Setting a swept key, or a field inside one, fixes it: that sweep dimension goes.
      const sweep = { ...out.sweep };
      for (const k of Object.keys(sweep)) if (key === k || key.startsWith(`${k}.`)) delete sweep[k];
      out.sweep = sweep;
    }
    out = setPath(out, key, value);
  }
  return out;
}
