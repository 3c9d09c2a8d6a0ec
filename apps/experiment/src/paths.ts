import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is apps/experiment/{src,dist}/paths.*). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EXPERIMENTS_DIR = path.join(REPO_ROOT, 'experiments');
