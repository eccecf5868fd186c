#!/usr/bin/env node
// benchbot ships as TypeScript; tsx compiles it on the fly so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../starter/main.ts');
