import { pino, type Logger, type DestinationStream } from 'pino';

/** Keys whose values never reach a log line (secrets from config or payloads). */
const REDACT = ['password', '*.password', '*.*.password', 'passwordFile', 'key', '*.key', 'token', '*.token'];

/**
 * The one root logger. Components take `log.child({ module })` from it.
 * `dest` lets tests capture structured lines in memory.
 */
export function createRootLogger(level: string, dest?: DestinationStream): Logger {
  const opts = { level, base: { pid: process.pid }, redact: { paths: REDACT, censor: '[redacted]' } };
  return dest ? pino(opts, dest) : pino(opts);
}

export type { Logger };
