// The explorer's command line: the common service flags plus its own.
import { intOption, stringOption, type ServiceCliSpec } from '@chainlab/service';

export const DEFAULT_EXPLORER_PORT = 7000;

const options = {
  nodes: stringOption(
    '--nodes <urls>',
    'comma-separated node URLs to follow besides those the tracker lists',
  ),
  pollInterval: intOption(
    '--poll-interval <ms>',
    'how often node status, the tracker and the mempool are polled (blocks also arrive live over each node /ws)',
    { default: 2000, min: 200, max: 60_000 },
  ),
  treeDepth: intOption(
    '--tree-depth <blocks>',
    'how many heights below each node tip the fork tree keeps',
    {
      default: 200,
      min: 10,
      max: 5000,
    },
  ),
};

export const explorerCli: ServiceCliSpec<typeof options> = {
  name: 'explorer',
  description:
    'chainlab explorer: a web app showing the network, the block tree with its forks, blocks, txs, addresses and the mempool, live; devnet controls as buttons.',
  defaultPort: DEFAULT_EXPLORER_PORT,
  defaults: { tracker: 'http://127.0.0.1:7100', mempool: 'http://127.0.0.1:7200' },
  unused: ['dataDir'],
  options,
  examples: [
    'pnpm start:explorer',
    'pnpm start:explorer -- --tracker http://127.0.0.1:7100 --mempool http://127.0.0.1:7200',
    'pnpm start:explorer -- --port 0 --nodes http://127.0.0.1:7301,http://127.0.0.1:7302 --spec devnet-data',
  ],
};

export type ExplorerCli = typeof options;
