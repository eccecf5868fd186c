import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { MachineFacts } from '../core/results/schema.js';

// What the machine was like when the run started, so a surprising result can be traced to a busy
// or throttled host. os reads /proc/cpuinfo and /proc/meminfo on Linux and works on macOS too.

const GOVERNOR_FILE = '/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor';

async function readGovernor(): Promise<string | null> {
  const text = await readFile(GOVERNOR_FILE, 'utf8').catch(() => null);
  const governor = text?.trim() ?? '';
  return governor === '' ? null : governor;
}

export async function readMachineFacts(pinnedCpus: readonly number[] | null): Promise<MachineFacts> {
  const cpus = os.cpus();
  const [one, five, fifteen] = os.loadavg();
  return {
    cpuModel: cpus[0]?.model.trim() || 'unknown',
    cores: Math.max(1, cpus.length),
    kernel: `${os.type()} ${os.release()}`,
    memoryBytes: Math.max(1, os.totalmem()),
    governor: await readGovernor(),
    loadAverage: [one ?? 0, five ?? 0, fifteen ?? 0],
    ...(pinnedCpus === null ? {} : { pinnedCpus: [...pinnedCpus] }),
  };
}

/**
 * Why the numbers may be noisy. The runner refuses nothing (a noisy answer beats none), but the
 * report says so. A load above a tenth of the cores (at least 1) means other work shares the CPUs.
 */
export function noiseWarnings(facts: MachineFacts): string[] {
  const warnings: string[] = [];
  const load = facts.loadAverage?.[0];
  const busy = Math.max(1, facts.cores / 10);
  if (load !== undefined && load > busy) {
    warnings.push(
      `the machine was busy: 1-minute load average ${load.toFixed(2)} on ${facts.cores} cores at the start; expect noisier numbers`,
    );
  }
  if (facts.governor !== undefined && facts.governor !== null && facts.governor !== 'performance') {
    warnings.push(
      `CPU frequency governor is "${facts.governor}", not "performance": clock speed may change during the run`,
    );
  }
  return warnings;
}
