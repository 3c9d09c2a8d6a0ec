#!/usr/bin/env node
// chainlab wallet: `pnpm wallet -- <command> [flags]` (see --help and docs/wallet.md).
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
