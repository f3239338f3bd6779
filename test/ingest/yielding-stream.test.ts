import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttSource } from '../../agent/ingest/source.js';
import { PIECE_BYTES, PieceSplitter } from '../../agent/ingest/yielding-stream.js';
import { AgentStats } from '../../agent/observe/stats.js';
import { memoryLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

/** One MQTT 3.1.1 QoS 0 PUBLISH packet. */
function publishPacket(topic: string, payload: string): Buffer {
  const t = Buffer.from(topic);
  const p = Buffer.from(payload);
  let len = 2 + t.length + p.length;
  const lenBytes: number[] = [];
  do {
    let b = len % 128;
    len = Math.floor(len / 128);
    if (len > 0) b |= 0x80;
    lenBytes.push(b);
  } while (len > 0);
  const tl = Buffer.alloc(2);
  tl.writeUInt16BE(t.length);
  return Buffer.concat([Buffer.from([0x30, ...lenBytes]), tl, t, p]);
}

/**
 * A minimal MQTT 3.1.1 broker: CONNACK, SUBACK, PINGRESP, and after the
 * SUBACK one single socket write of `burst` — so the client reads it in
 * chunks as large as the kernel and libuv allow (64 KB), as at 50k/s.
 */
async function burstBroker(burst: Buffer, tlsOpts?: tls.TlsOptions): Promise<Server> {
  const onConn = (sock: Socket): void => {
    sock.setNoDelay(true);
    sock.on('error', () => sock.destroy());
    sock.on('data', (d: Buffer) => {
      const type = d[0]! >> 4;
      if (type === 1) sock.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
      else if (type === 8) {
        // Remaining length < 128 here (one short filter), so the packet id is at bytes 2–3.
        sock.write(Buffer.from([0x90, 0x03, d[2]!, d[3]!, 0x00]));
        setTimeout(() => sock.write(burst), 20);
      } else if (type === 12) sock.write(Buffer.from([0xd0, 0x00]));
    });
  };
  const server = tlsOpts ? tls.createServer(tlsOpts, onConn) : net.createServer(onConn);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

/** A throw-away CA and a server certificate for 127.0.0.1 (openssl CLI). */
function makeCerts(): { ca: string; cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'es-ingest-tls-'));
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=edge-sentinel ingest test CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'server.ext',
  );
  return { ca: join(dir, 'ca.crt'), cert: readFileSync(join(dir, 'server.crt')), key: readFileSync(join(dir, 'server.key')) };
}

describe('PieceSplitter', () => {
  it('re-emits a large chunk in pieces, in order, yielding to the event loop between them', async () => {
    const s = new PieceSplitter(1000);
    const input = Buffer.from(Array.from({ length: 3500 }, (_, i) => i % 251));
    const pieces: Buffer[] = [];
    const turnOfPiece: number[] = [];
    let turn = 0;
    let ticking = true;
    const tick = (): void => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    s.on('data', (b: Buffer) => {
      pieces.push(b);
      turnOfPiece.push(turn);
    });
    await new Promise<void>((r) => s.write(input, () => r()));
    ticking = false;
    expect(pieces.map((p) => p.length)).toEqual([1000, 1000, 1000, 500]);
    expect(Buffer.concat(pieces).equals(input)).toBe(true);
    // Every piece was handed over in a later event-loop turn than the one before.
    for (let i = 1; i < turnOfPiece.length; i++) expect(turnOfPiece[i]!).toBeGreaterThan(turnOfPiece[i - 1]!);
  });

  it('passes small chunks through untouched and synchronously', () => {
    const s = new PieceSplitter(1000);
    const got: Buffer[] = [];
    s.on('data', (b: Buffer) => got.push(b));
    const small = Buffer.from('hello');
    s.write(small);
    expect(got).toEqual([small]);
  });
});

describe('MqttSource reads a large socket burst in pieces', () => {
  let server: Server | undefined;
  let src: MqttSource | undefined;
  afterEach(async () => {
    await src?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
    src = undefined;
  });

  it.each([
    ['plain TCP', false],
    ['TLS with a pinned CA', true],
  ])('%s: delivers every message in order, with the event loop turning at least every PIECE_BYTES', async (_name, useTls) => {
    const n = 4000;
    const certs = useTls ? makeCerts() : undefined;
    const packets = Array.from({ length: n }, (_, i) => publishPacket(`p/a${i % 10}/s${i % 3}`, String(i)));
    const smallest = Math.min(...packets.map((p) => p.length)); // 12 bytes
    server = await burstBroker(Buffer.concat(packets), certs && { cert: certs.cert, key: certs.key });
    const port = (server.address() as AddressInfo).port;
    const values: number[] = [];
    let inTurn = 0;
    let maxPerTurn = 0;
    let ticking = true;
    const tick = (): void => {
      inTurn = 0;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const stats = new AgentStats();
    src = new MqttSource(
      {
        url: `${certs ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
        protocolVersion: 4,
        keepaliveS: 30,
        reconnectMs: 1000,
        reconnectMaxMs: 60_000,
        noDelay: true,
        ...(certs && { tls: { ca: certs.ca, rejectUnauthorized: true } }),
      },
      [{ topic: 'p/{asset}/{signal}', decoder: 'number', qos: 0 }],
      {
        ingest: (_a, _s, v) => {
          values.push(v);
          maxPerTurn = Math.max(maxPerTurn, ++inTurn);
        },
        endScan: () => undefined,
      },
      stats,
      memoryLogger().log,
      1000,
    );
    await src.start();
    expect(src.isConnected).toBe(true);
    await waitFor(() => values.length >= n, 5000, `${n} samples`);
    ticking = false;
    expect(values).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(stats.decodeErrors).toBe(0);
    // One piece holds at most PIECE_BYTES / smallest packets, plus one completed from the piece before.
    // Without the splitter one read (64 KB plain, a 16 KB TLS record) hands over 1,000–4,000 in one turn.
    expect(maxPerTurn).toBeLessThanOrEqual(Math.ceil(PIECE_BYTES / smallest) + 1);
    expect(maxPerTurn).toBeGreaterThan(0);
  });
});
