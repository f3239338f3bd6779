import { Transform, type TransformCallback, type Writable } from 'node:stream';
import type { MqttClient } from 'mqtt';

/**
 * Largest piece of a socket read handed to mqtt.js at once. At ~60 bytes per
 * plant message that is ~130 messages (~1 ms of parsing and ingest), well
 * inside the 5 ms deadline.
 */
export const PIECE_BYTES = 8 * 1024;

/**
 * Re-emits each chunk in pieces of at most `pieceBytes`, yielding to the
 * event loop between pieces. mqtt.js parses one whole socket read (up to
 * 64 KB, ~1,000 messages at 50k/s) and hands its packets over in one run of
 * `process.nextTick`s, so the pipeline's per-turn model batch (setImmediate)
 * could only start after the last one: the first sample of a read waited for
 * all the others. Between pieces the batch runs.
 */
export class PieceSplitter extends Transform {
  /** Bytes handed over since the last reset (two event-loop turns after the first of them). */
  private used = 0;
  private resetArmed = false;
  private readonly reset = (): void => {
    this.used = 0;
    this.resetArmed = false;
  };
  // Two hops: the pipeline queues its batch's setImmediate while a piece is parsed, possibly after
  // our first setImmediate (push may hand over on a later tick); the second hop lands in the next
  // loop iteration, after that batch, whatever the tick order was.
  private readonly armReset = (): void => void setImmediate(this.reset);

  constructor(private readonly pieceBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let off = 0;
    // The budget spans chunks: TLS hands over one ≤ 16 KB record per 'data' and several records of
    // one TCP read arrive in the same turn, as do the tail of one read and the head of the next.
    const step = (): void => {
      // The socket went away while we were yielding: the rest of the read is moot.
      if (this.destroyed) return cb();
      while (off < chunk.length) {
        const room = this.pieceBytes - this.used;
        if (room <= 0) {
          setImmediate(hop);
          return;
        }
        const end = Math.min(off + room, chunk.length);
        if (!this.resetArmed) {
          this.resetArmed = true;
          setImmediate(this.armReset);
        }
        this.used += end - off;
        this.push(off === 0 && end === chunk.length ? chunk : chunk.subarray(off, end));
        off = end;
      }
      cb();
    };
    const hop = (): void => void setImmediate(step);
    step();
  }
}

/** The private stream factory mqtt.js calls on every (re)connect. */
type Builder = (client: MqttClient) => MqttClient['stream'];

/**
 * Make every stream `client` builds (first connect and reconnects) feed
 * mqtt.js through a {@link PieceSplitter}. The client must have been created
 * with `manualConnect: true` and not connected yet; call `client.connect()`
 * afterwards. The socket itself stays `client.stream` (writes, TLS,
 * setNoDelay, 'close'/'error' handling are untouched): only the read side
 * mqtt.js pipes into its parser goes through the splitter.
 */
export function yieldBetweenPieces(client: MqttClient, pieceBytes = PIECE_BYTES): void {
  const c = client as unknown as { streamBuilder: Builder };
  const inner = c.streamBuilder;
  c.streamBuilder = (cl) => {
    const stream = inner(cl);
    const pipe = stream.pipe.bind(stream);
    // mqtt.js reads only through `stream.pipe(parserWritable)` (client.connect()).
    stream.pipe = (<T extends NodeJS.WritableStream>(dest: T, opts?: { end?: boolean }): T => {
      const splitter = new PieceSplitter(pieceBytes);
      stream.once('close', () => splitter.destroy());
      pipe(splitter as unknown as Writable);
      return splitter.pipe(dest, opts);
    }) as typeof stream.pipe;
    return stream;
  };
}
