// The registry of mining strategies. To add one: implement StrategyDef (see types.ts and
// selfish.ts for an eager, withholding example) and list it here.
import { ScenarioError } from '../errors.js';
import { honest } from './honest.js';
import { selfish } from './selfish.js';
import { doubleSpend } from './double-spend.js';
import type { StrategyDef, StrategySpec } from './types.js';

export * from './types.js';
export { HonestStrategy } from './honest.js';
export { SelfishStrategy } from './selfish.js';
export * from './double-spend.js';
export * from '../decisions/index.js';

export const STRATEGIES: ReadonlyMap<string, StrategyDef> = new Map(
  [honest, selfish, doubleSpend].map((d) => [d.type, d]),
);

/** `"honest"`, `"selfish"` or `{type: "selfish", gamma: 0.5}` → a validated StrategySpec. */
export function parseStrategy(raw: unknown, path: string): StrategySpec {
  const params = typeof raw === 'string' ? { type: raw } : raw;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new ScenarioError(
      path,
      `must be a strategy name or {type: ..., ...}, got ${JSON.stringify(raw)}`,
    );
  }
  const type = (params as Record<string, unknown>).type;
  const def = typeof type === 'string' ? STRATEGIES.get(type) : undefined;
  if (!def) {
    throw new ScenarioError(
      `${path}.type`,
      `unknown strategy ${JSON.stringify(type)} (known: ${[...STRATEGIES.keys()].join(', ')})`,
    );
  }
  return def.parse(params as Record<string, unknown>, path);
}

export function strategyDef(type: string): StrategyDef {
  const def = STRATEGIES.get(type);
  if (!def) throw new Error(`unknown strategy ${type}`);
  return def;
}
