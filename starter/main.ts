import { Command } from 'commander';
import type { BenchbotConfig } from '../core/config/index.js';
import type { RawCompareOptions } from './commands/compare.js';

// The config's loader (YAML, the config schema) is loaded only by the commands that read a config,
// so `benchbot compare` starts without it.
const loadConfigOrExit = async (path?: string): Promise<BenchbotConfig> =>
  (await import('./load-config.js')).loadConfigOrExit(path);
const loadConfigAndFileOrExit = async (path?: string) =>
  (await import('./load-config.js')).loadConfigAndFileOrExit(path);

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
    const { config, file } = await loadConfigAndFileOrExit(configPath());
    await start(config, file);
  });

program
  .command('config')
  .description('configuration')
  .command('check')
  .argument('[file]', 'the file to check (default: as for --config)')
  .description('validate a config file without starting anything')
  .action(async (file?: string) => {
    const config = await loadConfigOrExit(file ?? configPath());
    const { checkStatisticalPower } = await import('../core/config/statistical-power.js');
    for (const warning of checkStatisticalPower(config)) {
      console.error(`warning: ${warning.place}: ${warning.message}`);
    }
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

program
  .command('compare')
  .description(
    'compare two result files (any supported tool format), or re-judge one benchbot results file holding both sides, and print a report',
  )
  .argument('<base>', 'results of the baseline, or a benchbot results file with both sides')
  .argument('[changed]', 'results of the change')
  .option('--format <format>', 'report format: markdown, json or csv', 'markdown')
  .option('--input-format <format>', 'the tool that wrote both files (default: detected)')
  .option('--alpha <A>', 'significance level, 0 < A < 1 (default 0.05)')
  .option('--confidence <C>', "level of the medians' confidence intervals, 0 < C < 1 (default 0.95)")
  .option(
    '--threshold <PCT>',
    'minimum effect in percent; smaller significant changes count as unchanged (default 1)',
  )
  .option('--correction <method>', 'multiple-comparison correction: holm, bh or none (default holm)')
  .option(
    '--paired <test>',
    'test for samples paired by round: auto (moderated t), signed-rank (Wilcoxon) or never (U test) (default auto)',
  )
  .option('--benchstat', "benchstat's decision rule: no correction, no minimum effect, unpaired")
  .option('--fail-on-regression', 'exit 1 when any benchmark is slower')
  .option(
    '--against <latest>',
    'compare the one file given with the newest run of --repo and --branch stored in the results store',
  )
  .option('--repo <owner/name>', 'with --against: the repository (default: $GITHUB_REPOSITORY)')
  .option('--branch <branch>', 'with --against: the branch (default: $GITHUB_REF_NAME)')
  .option(
    '--platform <platform>',
    "with --against: the platform (default: the repository's first in the config)",
  )
  // Usage errors (unknown option, missing file argument) exit 2 like every other invalid input.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(async (base: string, changed: string | undefined, opts: RawCompareOptions) => {
    const { compare } = await import('./commands/compare.js');
    process.exitCode = await compare(base, changed, opts, () => loadConfigOrExit(configPath()));
  });

const profile = program.command('profile').description('CPU profiles (pprof) of benchmarks');
profile
  .command('diff')
  .description(
    'compare two pprof profiles: the top functions by flat and cumulative value on each side, with deltas',
  )
  .argument('<base>', 'profile of the baseline (pprof, gzipped or not)')
  .argument('<changed>', 'profile of the change')
  .option('--top <N>', 'functions per table', '10')
  .option('--focus <regex>', 'only samples with a function matching REGEX on their stack')
  .option('--sample-type <type>', 'sample type to compare (default: cpu, else wall, else the default)')
  .option('--format <format>', 'markdown or json', 'markdown')
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(
    async (base: string, changed: string, opts: import('./commands/profile.js').RawProfileDiffOptions) => {
      const { profileDiff } = await import('./commands/profile.js');
      process.exitCode = await profileDiff(base, changed, opts);
    },
  );

profile
  .command('save')
  .description("write a recorded run's profiles as DIR/<benchmark>.<side>.pprof")
  .argument('<id>', 'the run id, as `benchbot runs` lists it')
  .requiredOption('--out <dir>', 'folder to write them into')
  .option('--platform <platform>', 'the platform, when the run has several')
  .action(async (id: string, opts: { out: string; platform?: string }) => {
    const { profileSave } = await import('./commands/profile-save.js');
    process.exitCode = await profileSave(await loadConfigOrExit(configPath()), id, opts);
  });

const collect = (value: string, previous: string[]) => [...previous, value];

program
  .command('record')
  .description(
    "store one commit's results (any supported tool format) as a run of a branch, straight into the results store: CI without a worker",
  )
  .argument('<results>', "the results file of the commit measured (a tool's own output)")
  .option('--repo <owner/name>', 'repository (default: $GITHUB_REPOSITORY)')
  .option('--branch <branch>', 'branch whose history it joins (default: $GITHUB_REF_NAME)')
  .option('--sha <sha>', 'the full commit SHA measured (default: $GITHUB_SHA)')
  .option('--platform <platform>', "platform it ran on (default: the repository's first in the config)")
  .option('--input-format <format>', 'the tool that wrote the file (default: detected)')
  .option('--reason <reason>', 'schedule or manual (default: schedule when $GITHUB_EVENT_NAME is schedule)')
  .action(async (file: string, opts: import('./commands/record.js').RecordOptions) => {
    const { record } = await import('./commands/record.js');
    process.exitCode = await record(await loadConfigOrExit(configPath()), file, opts);
  });

program
  .command('run')
  .description('benchmark two refs of a configured repository without GitHub; prints progress and the report')
  .requiredOption(
    '--repo <name|url|path>',
    'a repository from the config: owner/name, its URL, or a local path',
  )
  .requiredOption('--baseline <ref>', 'branch, tag or commit to compare against')
  .requiredOption('--changed <ref>', 'branch, tag or commit to measure')
  .option('--benchmark <name...>', "benchmarks to run (default: the repository's default set)", [])
  .option('--env <NAME=VALUE>', 'environment for both sides (repeatable)', collect, [])
  .action(async (opts: import('./commands/run.js').RunOptions) => {
    const { run } = await import('./commands/run.js');
    process.exitCode = await run(await loadConfigOrExit(configPath()), opts);
  });

program
  .command('queue')
  .description('show queued and running benchmark requests (what `show benchmark queue` replies)')
  .action(async () => {
    const { queue } = await import('./commands/queue.js');
    await queue(await loadConfigOrExit(configPath()));
  });

const poller = program
  .command('poller')
  .description("the comment pollers of the watched repositories (run by `npm start`'s worker)");
for (const action of ['start', 'stop', 'status'] as const) {
  const sub = poller
    .command(action)
    .description(
      {
        start:
          'start a poller for every watched repository (a running one keeps running, with the new interval)',
        stop: 'stop the pollers; the next start resumes from where they stopped',
        status: 'show each poller: cursor, last cycle, GitHub requests this hour (counted and 304s)',
      }[action],
    )
    .option('--repo <owner/name>', 'only this repository (stop and status)');
  if (action === 'start') sub.option('--interval <seconds>', 'poll interval (default: poll.intervalSeconds)');
  sub.action(async (opts: { interval?: string; repo?: string }) => {
    const { pollerCommand } = await import('./commands/poller.js');
    process.exitCode = await pollerCommand(await loadConfigOrExit(configPath()), action, opts);
  });
}

program
  .command('webhook')
  .description(
    'receive GitHub issue_comment webhooks (secret from github.webhookSecretEnv) and start requests',
  )
  .option('--port <port>', 'port to listen on (default: github.webhookPort)')
  .option('--host <host>', 'address to listen on (default 0.0.0.0)')
  .action(async (opts: { port?: string; host?: string }) => {
    const { webhookCommand } = await import('./commands/webhook.js');
    process.exitCode = await webhookCommand(await loadConfigOrExit(configPath()), opts);
  });

const schedulesCommand = program
  .command('schedules')
  .description('the Temporal Schedules of trunk tracking (repos[].schedules)');
schedulesCommand
  .command('sync')
  .description('create, update or delete schedules until Temporal matches the config (npm start does this)')
  .action(async () => {
    const { schedules } = await import('./commands/schedules.js');
    process.exitCode = await schedules(await loadConfigOrExit(configPath()), { kind: 'sync' });
  });
schedulesCommand
  .command('list')
  .description('each schedule: state, timing, next and last run')
  .action(async () => {
    const { schedules } = await import('./commands/schedules.js');
    process.exitCode = await schedules(await loadConfigOrExit(configPath()), { kind: 'list' });
  });
for (const kind of ['pause', 'resume'] as const) {
  schedulesCommand
    .command(kind)
    .description(kind === 'pause' ? 'pause a schedule (a sync keeps it paused)' : 'resume a paused schedule')
    .argument('<schedule>', 'trunk:owner/repo:name, owner/repo:name, or owner/repo with one schedule')
    .option('--note <text>', 'why, shown by `schedules list`', `${kind}d with benchbot schedules ${kind}`)
    .action(async (schedule: string, opts: { note: string }) => {
      const { schedules } = await import('./commands/schedules.js');
      process.exitCode = await schedules(await loadConfigOrExit(configPath()), {
        kind,
        schedule,
        note: opts.note,
      });
    });
}
schedulesCommand
  .command('trigger')
  .description('run a schedule now, as a manual run (proceeds whatever the queue depth)')
  .argument('<schedule>', 'trunk:owner/repo:name, owner/repo:name, or owner/repo with one schedule')
  .option('--wait', 'wait for the run and print its outcome')
  .action(async (schedule: string, opts: { wait?: boolean }) => {
    const { schedules } = await import('./commands/schedules.js');
    process.exitCode = await schedules(await loadConfigOrExit(configPath()), {
      kind: 'trigger',
      schedule,
      wait: opts.wait === true,
    });
  });

program
  .command('history')
  .description("a benchmark's trunk history from the results store: one row per run, oldest first")
  .requiredOption('--repo <owner/name>', 'repository')
  .requiredOption('--benchmark <name>', 'benchmark name')
  .option('--last <N>', 'the last N runs', '20')
  .option('--format <format>', 'text, csv or json', 'text')
  .option('--branch <branch>', "branch (default: the repository's first schedule's, else defaultBranch)")
  .option('--platform <platform>', "platform (default: the repository's first)")
  .action(async (opts: import('./commands/history.js').HistoryOptions) => {
    const { history } = await import('./commands/history.js');
    process.exitCode = await history(await loadConfigOrExit(configPath()), opts);
  });

program
  .command('coverage')
  .description('per day, the share of commits that benchmarked runs stand for; the gaps; the skipped commits')
  .requiredOption('--repo <owner/name>', 'repository')
  .option('--since <date>', 'from this date (default: 30 days ago)')
  .option('--branch <branch>', "branch (default: the repository's first schedule's, else defaultBranch)")
  .option('--platform <platform>', 'count only runs that succeeded on this platform')
  .option('--format <format>', 'text or json', 'text')
  .action(async (opts: import('./commands/coverage.js').CoverageOptions) => {
    const { coverage } = await import('./commands/coverage.js');
    process.exitCode = await coverage(await loadConfigOrExit(configPath()), opts);
  });

const runs = program.command('runs').description('the recorded runs: list them, or show one');
runs
  .command('list', { isDefault: true })
  .description('recorded runs of every kind (pull-request, manual, trunk), newest first (the default)')
  .option('--repo <owner/name>', 'only this repository')
  .option('--reason <kind>', 'pull-request, manual or trunk')
  .option('--last <N>', 'the last N runs', '20')
  .option('--format <format>', 'text or json', 'text')
  .action(async (opts: import('./commands/runs.js').RunsOptions) => {
    const { runsCommand } = await import('./commands/runs.js');
    process.exitCode = await runsCommand(await loadConfigOrExit(configPath()), opts);
  });
runs
  .command('show')
  .description(
    "one run: its report (markdown), the whole run with its samples (json), or one platform's results file (results), which `benchbot compare` re-judges",
  )
  .argument('<id>', 'the run id (the workflow id), as `benchbot runs` lists it')
  .option('--format <format>', 'markdown, json or results', 'markdown')
  .option('--platform <platform>', 'with --format results: the platform, when the run has several')
  .action(async (id: string, opts: { format?: string; platform?: string }) => {
    const { runsShowCommand } = await import('./commands/runs.js');
    process.exitCode = await runsShowCommand(await loadConfigOrExit(configPath()), id, opts);
  });

program
  .command('store')
  .description('the results store')
  .command('migrate')
  .description(
    "bring the configured store to this version's schema; with --from, copy an old SQLite store's runs into it",
  )
  .option('--from <file.sqlite>', 'a results.sqlite of any benchbot version (read, never written)')
  .action(async (opts: { from?: string }) => {
    const { storeMigrate } = await import('./commands/store.js');
    process.exitCode = await storeMigrate(await loadConfigOrExit(configPath()), opts);
  });

program
  .command('dashboard')
  .description('serve the dashboard (trends, change points, coverage, queue), or write it as a static site')
  .option('--port <port>', 'port to listen on (default: dashboard.port)')
  .option('--host <host>', 'address to listen on (default: dashboard.host, 127.0.0.1)')
  .option('--export <dir>', 'write a static site to DIR (opens from the file system) instead of serving')
  .action(async (opts: import('./commands/dashboard.js').DashboardOptions) => {
    const { dashboard } = await import('./commands/dashboard.js');
    process.exitCode = await dashboard(await loadConfigOrExit(configPath()), opts);
  });

program
  .command('export')
  .description("a benchmark's trunk series as CSV or SVG, with its change points")
  .requiredOption('--repo <owner/name>', 'repository')
  .requiredOption('--benchmark <name>', 'benchmark (result) name')
  .option('--branch <branch>', "branch (default: the repository's first schedule's, else defaultBranch)")
  .option('--platform <platform>', "platform (default: the repository's first)")
  .option('--metric <metric>', 'metric, when the benchmark has several')
  .option('--format <format>', 'csv or svg', 'csv')
  .option('--out <file>', 'write to FILE (default: stdout)')
  .action(async (opts: import('./commands/export.js').ExportOptions) => {
    const { exportCommand } = await import('./commands/export.js');
    process.exitCode = await exportCommand(await loadConfigOrExit(configPath()), opts);
  });

await program.parseAsync();
