#!/usr/bin/env node
// pnpm experiment -- run <scenario> [--real|--sim] [--seed n] [--out dir] [--set key=value]...
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
