import { Command } from 'commander';
import { loadConfigOrExit } from './load-config.js';

const program = new Command()
  .name('benchbot')
  .description(
    'Continuous benchmarking on Temporal: PR-comment and scheduled A/B benchmarks with honest statistics.',
  )
  .option(
    '-c, --config <file>',
    'config file (default: $BENCHBOT_CONFIG, else benchbot.yaml, else the shipped example)',
  )
  .showHelpAfterError();

const configPath = (): string | undefined => program.opts<{ config?: string }>().config;

program
  .command('start')
  .description(
    'start the stack: the embedded Temporal dev server (unless temporal.address is set) and the worker',
  )
  .action(async () => {
    const { start } = await import('./commands/start.js');
    await start(await loadConfigOrExit(configPath()));
  });

program
  .command('config')
  .description('configuration')
  .command('check')
  .argument('[file]', 'the file to check (default: as for --config)')
  .description('validate a config file without starting anything')
  .action(async (file?: string) => {
    const config = await loadConfigOrExit(file ?? configPath());
    const benchmarks = config.repos.reduce((sum, repo) => sum + repo.benchmarks.length, 0);
    console.log(`ok: ${config.repos.length} repositories, ${benchmarks} benchmarks`);
  });

program
  .command('trigger')
  .description('the PR-comment trigger language')
  .command('parse')
  .description('parse a comment read from stdin and print the request as JSON (exit 2 on errors)')
  .requiredOption('--repo <owner/name>', 'repository whose benchmark allowlist applies')
  .action(async (opts: { repo: string }) => {
    const { triggerParse } = await import('./commands/trigger-parse.js');
    process.exitCode = await triggerParse(await loadConfigOrExit(configPath()), opts.repo);
  });

await program.parseAsync();
