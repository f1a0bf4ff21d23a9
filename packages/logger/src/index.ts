import pino from 'pino';
import type { Logger, LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * The one logger factory every Probity process uses: JSON lines on stderr
 * (stdout stays free for command output), a `service` field, and redaction of
 * fields that may hold evidence contents or secrets.
 */
export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info', options: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      base: { service },
      redact: { paths: ['token', 'authorization', 'headers.authorization', 'privateKey', 'manifest', 'rows'], censor: '[redacted]' },
      ...options,
    },
    pino.destination({ dest: 2, sync: false }),
  );
}
