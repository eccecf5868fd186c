#!/usr/bin/env node
// The runner ships as TypeScript like the rest of benchbot; tsx compiles it on the fly.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
