#!/usr/bin/env node
// The runner ships as TypeScript like the rest of benchbot; tsx compiles it on the fly.
//
// Its JavaScript dependencies are loaded first, by Node's own loader: once tsx's hooks are
// registered, every module loaded costs a round trip to tsx's loader thread, and zod alone is 95
// modules (a third of the runner's start-up). The runner's own imports then find them loaded.
import 'commander';
import 'zod';
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
