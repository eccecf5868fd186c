import { asyncLocalStorage } from '@temporalio/activity';
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import { type DestinationStream, type Logger, pino } from 'pino';
import { prettyFactory } from 'pino-pretty';

/**
 * The activity a line is logged from, if any. Shared clients (Octokit) and activities log through
 * the process-wide logger; this ties their lines to the request they were working for, so one
 * query on workflowId finds everything a request did.
 */
function activityFields(): Record<string, string | number> {
  const info = asyncLocalStorage.getStore()?.info;
  if (info === undefined) return {};
  const workflowId = info.workflowExecution?.workflowId;
  return {
    ...(workflowId === undefined ? {} : { workflowId }),
    activityType: info.activityType,
    attempt: info.attempt,
  };
}

export type LogFormat = 'json' | 'pretty';

/**
 * `BENCHBOT_LOG_FORMAT` (json or pretty) when set; otherwise readable lines for a person at a
 * terminal, and JSON for everything else (a pipe, a file, a container: what log shippers read).
 */
export function logFormat(
  env: NodeJS.ProcessEnv = process.env,
  stderrIsTTY: boolean = process.stderr.isTTY === true,
): LogFormat {
  const asked = env.BENCHBOT_LOG_FORMAT;
  if (asked === 'json' || asked === 'pretty') return asked;
  if (asked !== undefined && asked !== '') {
    throw new Error(`BENCHBOT_LOG_FORMAT=${asked} is not a log format: use json or pretty (or unset it)`);
  }
  return stderrIsTTY ? 'pretty' : 'json';
}

/** Each JSON line as one readable line (time, level, message, then the other fields), written synchronously. */
function readable(out: DestinationStream, colorize: boolean): DestinationStream {
  const pretty = prettyFactory({
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
  });
  return { write: (line: string) => out.write(pretty(line)) };
}

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Where lines go; stderr by default. */
  destination?: DestinationStream;
}

/**
 * One event per line on stderr: JSON, so logs can be shipped and queried as-is, or for a person at
 * a terminal the same fields as one readable line. Lines logged while an activity runs carry its
 * workflow id.
 */
export function createLogger({
  level = process.env.BENCHBOT_LOG_LEVEL ?? 'info',
  format = logFormat(),
  destination,
}: LoggerOptions = {}): Logger {
  const out = destination ?? pino.destination(2);
  const stream =
    format === 'json' ? out : readable(out, destination === undefined && process.stderr.isTTY === true);
  return pino(
    {
      base: { service: 'benchbot' },
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      // The Temporal SDK logs failures under `error`; without this an Error loses its message.
      serializers: { error: pino.stdSerializers.err },
      mixin: activityFields,
    },
    stream,
  );
}

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Routes the Temporal SDK's (and its Rust core's) logs into the same structured stream. */
export function temporalLoggerFor(logger: Logger): DefaultLogger {
  return new DefaultLogger('INFO', (entry: LogEntry) => {
    logger[PINO_LEVEL[entry.level]]({ ...entry.meta, source: 'temporal' }, entry.message);
  });
}

/**
 * For the workflow bundler: webpack's listing of every bundled module is for debugging a bundle,
 * not for each start, so it goes to debug; the one-line summary and any problem keep their level.
 */
export function bundlerLoggerFor(logger: Logger): DefaultLogger {
  return new DefaultLogger('TRACE', (entry: LogEntry) => {
    const listing = entry.level === 'INFO' && entry.message !== 'Workflow bundle created';
    logger[listing ? 'debug' : PINO_LEVEL[entry.level]](
      { ...entry.meta, source: 'temporal-bundler' },
      entry.message,
    );
  });
}
