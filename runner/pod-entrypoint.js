#!/usr/bin/env node
// The runner image's entrypoint in a Kubernetes Job; see pod-entrypoint.ts.
import { register } from 'tsx/esm/api';

register();
await import('./pod-entrypoint.ts');
