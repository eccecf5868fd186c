import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import { type Logger, pino } from 'pino';

/** One JSON line per event on stderr, so logs can be shipped and queried as-is. */
export function createLogger(level: string = process.env.BENCHBOT_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      base: { service: 'benchbot' },
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      // The Temporal SDK logs failures under `error`; without this an Error loses its message.
      serializers: { error: pino.stdSerializers.err },
    },
    pino.destination(2),
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
