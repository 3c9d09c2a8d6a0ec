// GET /account/:address on the node (levels 2 and 3): what the level's account view says
// at the tip. Level 3 adds the code's hash and size (0 for a key's account).
import { nodeAccountRoutes } from '@chainlab/api';
import type { Server } from '@chainlab/service';
import type { AccountView } from './chain-level.js';
import { addressParam } from './http-params.js';

export function registerAccountRoute(server: Server, view: AccountView): void {
  server.get(
    '/account/:address',
    { schema: nodeAccountRoutes['GET /account/:address'] },
    async (req) => {
      const address = addressParam(req.params.address);
      const { balance, ...rest } = view.account(address);
      return { address, balance: balance.toString(), ...rest };
    },
  );
}
