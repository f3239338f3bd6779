/**
 * The command audit log: one JSON line for every command received —
 * accepted, refused, duplicate, confirmed or rolled back — written before
 * the result is published. Bounded by size like the egress audit log.
 */
import { isAbsolute, join } from 'node:path';
import type { Logger } from 'pino';
import { errMessage } from '../errors.js';
import { JsonlLog } from '../observe/jsonl-log.js';
import type { CommandResult } from './result.js';

/** One line of the command audit log. */
export interface CommandAuditLine {
  ts: string;
  kind: CommandResult['kind'];
  version: number | null;
  outcome: CommandResult['outcome'] | 'confirmed';
  reason?: string;
  message: string;
  keyId?: string;
  sha256?: string;
  /** Size of the message as received. */
  bytes?: number;
}

const MAX_BYTES = 1024 * 1024;
const KEEP = 3;

export class CommandAudit {
  private readonly file: JsonlLog;
  errors = 0;

  constructor(
    stateDir: string,
    auditFile: string,
    private readonly log: Logger,
  ) {
    this.file = new JsonlLog(isAbsolute(auditFile) ? auditFile : join(stateDir, auditFile), MAX_BYTES, KEEP);
  }

  get path(): string {
    return this.file.path;
  }

  record(line: CommandAuditLine): void {
    try {
      this.file.append(line);
    } catch (err) {
      this.errors++;
      this.log.error({ err: errMessage(err), path: this.file.path }, 'cannot write the command audit log');
    }
  }
}
