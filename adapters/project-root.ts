import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout benchbot runs from: relative paths in the config and the tools folder hang off it. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
