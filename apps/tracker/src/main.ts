// chainlab tracker: `pnpm start:tracker -- [flags]` (see --help).

import { runService } from '@chainlab/service';
import { trackerCli } from './cli.js';
import { Prober } from './probe.js';
import { NodeRegistry } from './registry.js';
import { registerTrackerRoutes } from './routes.js';

await runService({
  cli: trackerCli,
  bodyLimit: 16 * 1024,
  setup({ config, server, logger, lifecycle }) {
    const registry = new NodeRegistry({ ttlMs: config.ttl * 1000, maxNodes: config.maxNodes });
    registerTrackerRoutes(server, registry, logger);
    // Expired entries already drop out of /nodes; the sweep frees them and logs it.
    const sweep = setInterval(
      () => {
        for (const url of registry.evictExpired()) logger.info({ url }, 'node expired');
      },
      Math.min(registry.ttlMs, 5_000),
    );
    sweep.unref();
    lifecycle.onShutdown('expiry sweep', () => clearInterval(sweep));
    if (config.probe) {
      const prober = new Prober({ registry, intervalMs: config.probeInterval * 1000, logger });
      prober.start();
      lifecycle.onShutdown('health probe', () => prober.stop());
    }
  },
});
