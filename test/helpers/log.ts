import { Writable } from 'node:stream';
import { createRootLogger } from '../../agent/observe/logger.js';

/** A root logger writing parsed JSON lines into an array (pino test helper `sink()` idea). */
export function memoryLogger(level = 'debug') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: createRootLogger(level, stream), lines };
}
