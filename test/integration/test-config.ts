import { type BenchbotConfig, formatConfigIssues, parseConfig } from '../../core/config/index.js';

/** A real config, parsed and defaulted by the same code as benchbot.yaml. */
export function testConfig(yamlText: string): BenchbotConfig {
  const parsed = parseConfig(yamlText, 'test-config.yaml');
  if (!parsed.ok) throw new Error(formatConfigIssues(parsed.issues));
  return parsed.config;
}

export const DATAFUSION_LIKE = `
version: 1
repos:
  - name: apache/datafusion
    build: { command: "true" }
    benchmarks:
      - { name: tpch, command: "true", output: { path: out.json, format: dfbench-json } }
      - { name: tpch_mem, command: "true", output: { path: out.json, format: dfbench-json } }
      - { name: clickbench_1, command: "true", output: { path: out.json, format: dfbench-json } }
`;
