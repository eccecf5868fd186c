import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import {
  applyEnvOverrides,
  type BenchbotConfig,
  type ConfigIssue,
  checkEffectiveConfig,
  parseConfig,
} from '../core/config/index.js';
import { projectRoot } from './project-root.js';

export interface LoadConfigOptions {
  /** An explicitly named file (e.g. --config); wins over BENCHBOT_CONFIG. Relative to cwd. */
  path?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Where `benchbot.yaml` and relative BENCHBOT_CONFIG / path values are looked up. */
  cwd: string;
  /** The checkout holding benchbot.example.yaml; relative paths in the config resolve against it. */
  projectRoot?: string;
}

export type LoadConfigResult =
  | { ok: true; config: BenchbotConfig; file: string; fellBackToExample: boolean }
  | { ok: false; issues: ConfigIssue[] };

const DEFAULT_FILE = 'benchbot.yaml';
const EXAMPLE_FILE = 'benchbot.example.yaml';

interface Located {
  absolute: string;
  /** How the user named it, for messages. */
  shown: string;
  fellBackToExample: boolean;
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function fileIssue(file: string, message: string): ConfigIssue {
  return { file, path: '', line: null, column: null, message };
}

// Relative paths resolve against the project root (the checkout), not the config file's folder, so
// the default `dataDir: data` is always the git-ignored ./data however benchbot was started.
function absolutePaths(config: BenchbotConfig, root: string): BenchbotConfig {
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(root, path));
  const tls = config.temporal.tls;
  return {
    ...config,
    dataDir: absolute(config.dataDir),
    temporal: {
      ...config.temporal,
      tls:
        tls === null
          ? null
          : {
              ...tls,
              serverRootCACertPath: tls.serverRootCACertPath && absolute(tls.serverRootCACertPath),
              clientCertPath: tls.clientCertPath && absolute(tls.clientCertPath),
              clientKeyPath: tls.clientKeyPath && absolute(tls.clientKeyPath),
            },
    },
    executor: {
      ...config.executor,
      local: { ...config.executor.local, workDir: absolute(config.executor.local.workDir) },
    },
    results: { ...config.results, path: absolute(config.results.path) },
  };
}

async function locate(
  options: LoadConfigOptions,
  root: string,
): Promise<{ located: Located; text: string } | ConfigIssue> {
  const fromEnv = options.env.BENCHBOT_CONFIG?.trim();
  const explicit = options.path || fromEnv || null;
  if (explicit !== null) {
    const absolute = resolve(options.cwd, explicit);
    const text = await readIfExists(absolute);
    if (text === null) {
      const named = options.path ? 'the path given' : 'BENCHBOT_CONFIG';
      return fileIssue(
        explicit,
        `config file not found (looked at ${absolute}); create it, e.g. by copying ${resolve(root, EXAMPLE_FILE)}, or point ${named} at an existing file`,
      );
    }
    return { located: { absolute, shown: explicit, fellBackToExample: false }, text };
  }
  const defaultFile = resolve(options.cwd, DEFAULT_FILE);
  const text = await readIfExists(defaultFile);
  if (text !== null) {
    return {
      located: { absolute: defaultFile, shown: DEFAULT_FILE, fellBackToExample: false },
      text,
    };
  }
  const example = resolve(root, EXAMPLE_FILE);
  const exampleText = await readIfExists(example);
  if (exampleText === null) {
    return fileIssue(
      DEFAULT_FILE,
      `no config file: neither ${defaultFile} nor the shipped ${example} exists; create benchbot.yaml or set BENCHBOT_CONFIG`,
    );
  }
  return {
    located: { absolute: example, shown: example, fellBackToExample: true },
    text: exampleText,
  };
}

/**
 * Finds, reads and validates the config: BENCHBOT_CONFIG (or `path`), else ./benchbot.yaml, else the
 * shipped benchbot.example.yaml (`fellBackToExample`, so the caller can say so). Environment
 * overrides are applied; secrets are not read here but by the activities that use them.
 */
export async function loadConfigFile(options: LoadConfigOptions): Promise<LoadConfigResult> {
  const root = options.projectRoot ?? projectRoot;
  let found: Awaited<ReturnType<typeof locate>>;
  try {
    found = await locate(options, root);
  } catch (error) {
    const shown = options.path || options.env.BENCHBOT_CONFIG || DEFAULT_FILE;
    return {
      ok: false,
      issues: [
        fileIssue(
          shown,
          `cannot read the config file: ${(error as Error).message}; check it is a readable file`,
        ),
      ],
    };
  }
  if (!('located' in found)) return { ok: false, issues: [found] };
  const { located, text } = found;

  const parsed = parseConfig(text, located.shown);
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  const overridden = applyEnvOverrides(parsed.config, options.env);
  const issues = [...overridden.errors, ...checkEffectiveConfig(overridden.config, located.shown)];
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    config: absolutePaths(overridden.config, root),
    file: located.absolute,
    fellBackToExample: located.fellBackToExample,
  };
}
