/**
 * What the Sparkplug edge node keeps across restarts, in
 * `<stateDir>/sparkplug-node.json`: the last bdSeq (so each CONNECT after a
 * restart still gets the next one [tck-id-topics-nbirth-bdseq-increment])
 * and each device's current metric values (so the DBIRTH after a restart
 * says an alert is still open, not "normal" until its next transition).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { writeAtomic } from '../../atomic-file.js';
import { errMessage } from '../../errors.js';
import type { DeviceState } from './metrics.js';

interface Doc {
  v: 1;
  bdSeq: number;
  devices: Record<string, DeviceState>;
}

export class NodeStateFile {
  readonly path: string;
  private doc: Doc = { v: 1, bdSeq: -1, devices: {} };
  writeErrors = 0;

  constructor(
    stateDir: string,
    private readonly log: Logger,
  ) {
    this.path = join(stateDir, 'sparkplug-node.json');
  }

  /** Read the file; a missing or damaged one starts fresh (bdSeq from 0, devices not active), said in the log. */
  load(): { bdSeq: number; devices: Record<string, DeviceState> } {
    if (existsSync(this.path)) {
      try {
        const d = JSON.parse(readFileSync(this.path, 'utf8')) as Doc;
        if (d.v === 1 && Number.isInteger(d.bdSeq) && d.devices && typeof d.devices === 'object') this.doc = d;
        else this.log.warn({ path: this.path }, 'Sparkplug node state has an unknown shape; starting fresh');
      } catch (err) {
        this.log.warn({ path: this.path, err: errMessage(err) }, 'Sparkplug node state unreadable; starting fresh');
      }
    }
    return { bdSeq: this.doc.bdSeq, devices: { ...this.doc.devices } };
  }

  saveBdSeq(bdSeq: number): void {
    this.doc.bdSeq = bdSeq;
    this.write();
  }

  saveDevice(device: string, state: DeviceState): void {
    this.doc.devices[device] = state;
    this.write();
  }

  private write(): void {
    try {
      writeAtomic(this.path, JSON.stringify(this.doc));
    } catch (err) {
      // Not fatal: the session goes on; after a restart the births would start from stale values.
      this.writeErrors++;
      this.log.error({ path: this.path, err: errMessage(err) }, 'cannot write the Sparkplug node state');
    }
  }
}
