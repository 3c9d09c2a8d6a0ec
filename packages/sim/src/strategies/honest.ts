// Honest mining (Nakamoto): mine on the best block you know, publish what you find at once.
import type { Strategy, StrategyDef } from './types.js';

export class HonestStrategy implements Strategy {
  readonly name = 'honest';
  readonly eager = false;
  readonly gamma = 0;

  miningParent: Strategy['miningParent'] = (ctx) => ctx.publicTip();

  onMined: Strategy['onMined'] = (_ctx, block) => [{ block }];
}

export const honest: StrategyDef = {
  type: 'honest',
  description: 'mine on the best known block, publish every block at once',
  real: true,
  parse: () => ({ type: 'honest' }),
  create: () => new HonestStrategy(),
};
