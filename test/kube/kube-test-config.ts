import type { KubernetesExecutorConfig } from '../../adapters/executors/kubernetes/job-manifest.js';
import { testConfig } from '../integration/test-config.js';

/** The executor's section of a real, parsed config, pointed at a test namespace. */
export function kubernetesTestConfig(
  namespace: string,
  overrides: Partial<KubernetesExecutorConfig> = {},
): KubernetesExecutorConfig {
  const config = testConfig(`
version: 1
executor:
  kind: kubernetes
  kubernetes: { namespace: ${namespace}, runnerImage: "benchbot-runner:test", cpu: "2", memory: 1Gi, ephemeralStorage: 5Gi, computeClass: Performance }
repos:
  - name: acme/widget
    build: { command: "true" }
    benchmarks:
      - { name: hot, command: "true", output: { path: out.txt, format: go-bench } }
`);
  return { ...config.executor.kubernetes, ...overrides };
}
