#!/usr/bin/env node
// chainlab wallet: `pnpm wallet -- <command> [flags]` (see --help and docs/wallet.md).
import { main } from './cli.js';

// `pnpm wallet -- …` runs this script from the repository root; pnpm keeps the folder the
// user typed the command in as INIT_CWD. Paths on the command line (a .sol file, a
// --password-file, a --keystore-dir) are the user's, so they resolve from there.
if (process.env.npm_lifecycle_event === 'wallet' && process.env.INIT_CWD) {
  process.chdir(process.env.INIT_CWD);
}

process.exitCode = await main(process.argv.slice(2));
