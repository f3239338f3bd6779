import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { RedNode } from './red.js';

/** pino numeric levels (pino/lib/constants). */
const WARN = 40;
const ERROR = 50;

/**
 * A pino logger whose lines land in the Node-RED log of `node`: the agent
 * library logs through pino, the Node-RED user reads the node's log and the
 * debug sidebar. Warnings and errors go to node.warn/node.error (visible in
 * the editor); the rest to node.log at the chosen level.
 */
export function nodeLogger(node: RedNode, level = 'warn'): Logger {
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) forward(node, line);
      }
      cb();
    },
  });
  return pino({ level, base: null, timestamp: false }, dest);
}

function forward(node: RedNode, line: string): void {
  let rec: { level?: number; msg?: string; err?: { message?: string } | string; [k: string]: unknown };
  try {
    rec = JSON.parse(line) as typeof rec;
  } catch (err) {
    node.warn(`unparseable log line (${(err as Error).message}): ${line.slice(0, 200)}`);
    return;
  }
  const { level = 30, msg = '', ...rest } = rec;
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  const text = `${msg}${extra}`;
  if (level >= ERROR) node.error(text);
  else if (level >= WARN) node.warn(text);
  else node.log(text);
}
