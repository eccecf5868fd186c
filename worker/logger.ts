import { asyncLocalStorage } from '@temporalio/activity';
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import { type DestinationStream, type Logger, pino } from 'pino';

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

/**
 * One JSON line per event on stderr, so logs can be shipped and queried as-is; lines logged while
 * an activity runs carry its workflow id.
 */
export function createLogger(
  level: string = process.env.BENCHBOT_LOG_LEVEL ?? 'info',
  destination: DestinationStream = pino.destination(2),
): Logger {
  return pino(
    {
      base: { service: 'benchbot' },
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      // The Temporal SDK logs failures under `error`; without this an Error loses its message.
      serializers: { error: pino.stdSerializers.err },
      mixin: activityFields,
    },
    destination,
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
