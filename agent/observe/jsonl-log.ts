/**
 * An append-only JSON-lines log, rotated by size so it stays bounded on an
 * SD card: <file>.1 … <file>.<keep>, the oldest dropped. Appends are
 * synchronous (the line is in the page cache before the caller goes on),
 * which is what audit logs need: the record exists before the act.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export class JsonlLog {
  /** Bytes in the current file; null until the first append looked at it. */
  private bytes: number | null = null;

  constructor(
    readonly path: string,
    private readonly maxBytes: number,
    private readonly keep: number,
  ) {}

  /** Append one line; throws on an I/O error (the caller counts it and reports it). */
  append(line: object): void {
    if (this.bytes === null) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.bytes = this.size();
    }
    const text = `${JSON.stringify(line)}\n`;
    appendFileSync(this.path, text);
    this.bytes += Buffer.byteLength(text);
    if (this.bytes > this.maxBytes) {
      // Another writer (another log object on the same file) may have rotated it meanwhile: trust the file.
      this.bytes = this.size();
      if (this.bytes > this.maxBytes) this.rotate();
    }
  }

  private size(): number {
    return existsSync(this.path) ? statSync(this.path).size : 0;
  }

  private rotate(): void {
    for (let i = this.keep - 1; i >= 1; i--) {
      const from = `${this.path}.${i}`;
      if (existsSync(from)) renameSync(from, `${this.path}.${i + 1}`);
    }
    renameSync(this.path, `${this.path}.1`);
    this.bytes = 0;
  }
}
