// The tracker's command line: the common service flags plus its own.

import { intOption, switchOption, type ServiceCliSpec } from '@chainlab/service';

export const DEFAULT_TRACKER_PORT = 7100;

const options = {
  ttl: intOption(
    '--ttl <seconds>',
    'a node not re-registered within this time drops out of /nodes',
    {
      default: 30,
      min: 1,
      max: 86_400,
    },
  ),
  maxNodes: intOption(
    '--max-nodes <n>',
    'most live nodes; beyond it /register answers 503 TRACKER_FULL',
    {
      default: 1000,
      min: 1,
      max: 1_000_000,
    },
  ),
  probe: switchOption(
    '--probe',
    'also GET <node>/running periodically and drop nodes failing twice in a row',
  ),
  probeInterval: intOption(
    '--probe-interval <seconds>',
    'time between health probe rounds (with --probe)',
    {
      default: 10,
      min: 1,
      max: 3600,
    },
  ),
};

export const trackerCli: ServiceCliSpec<typeof options> = {
  name: 'tracker',
  description:
    'chainlab tracker: peer discovery. Nodes POST /register {"url"} as a heartbeat; GET /nodes lists the live ones.',
  defaultPort: DEFAULT_TRACKER_PORT,
  unused: ['tracker', 'mempool', 'dataDir', 'spec'],
  options,
  examples: [
    'pnpm start:tracker',
    'pnpm start:tracker -- --port 0 --ttl 10          # a free port, printed on start',
    'CHAINLAB_MAX_NODES=50 pnpm start:tracker -- --probe',
  ],
};
