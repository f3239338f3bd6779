/**
 * An in-process upstream broker (aedes on port 0, plain or TLS) that records
 * every PUBLISH a client sends it — the capture the sovereignty checks run
 * over — and can be taken down and brought back on the same port to
 * simulate an uplink outage.
 */
import net, { type AddressInfo, type Server, type Socket } from 'node:net';
import tls from 'node:tls';
import { Aedes } from 'aedes';

export interface Captured {
  topic: string;
  payload: Buffer;
  retain: boolean;
  qos: number;
  clientId: string;
  at: number;
}

export interface UpstreamBroker {
  url: string;
  port: number;
  received: Captured[];
  /** Parsed JSON payloads of alert messages, in arrival order. */
  alerts(): Array<Record<string, unknown>>;
  /** Outage: stop listening and cut every connection. */
  down(): Promise<void>;
  /** Back on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export interface UpstreamOptions {
  tls?: { key: Buffer; cert: Buffer; ca: Buffer; requestCert: boolean };
  auth?: { username: string; password: string };
  /** Hold every client PUBLISH this long before accepting it (and so before its PUBACK): a slow WAN. */
  ackDelayMs?: number;
}

export async function startUpstreamBroker(opts: UpstreamOptions = {}): Promise<UpstreamBroker> {
  const aedes = await Aedes.createBroker();
  const received: Captured[] = [];
  aedes.on('publish', (packet, client) => {
    // client === null: broker-internal ($SYS etc.), not something a client sent.
    if (client)
      received.push({
        topic: packet.topic,
        payload: Buffer.from(packet.payload),
        retain: packet.retain,
        qos: packet.qos,
        clientId: client.id,
        at: Date.now(),
      });
  });
  if (opts.auth) {
    const { username, password } = opts.auth;
    aedes.authenticate = (_client, user, pass, done) => {
      const ok = user === username && pass?.toString() === password;
      done(ok ? null : Object.assign(new Error('bad credentials'), { returnCode: 4 }), ok);
    };
  }
  if (opts.ackDelayMs) {
    const ms = opts.ackDelayMs;
    aedes.authorizePublish = (_client, _packet, done) => {
      setTimeout(() => done(null), ms);
    };
  }
  const sockets = new Set<Socket>();
  const make = (): Server => {
    const onConn = (s: Socket): void => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      aedes.handle(s);
    };
    return opts.tls
      ? tls.createServer(
          {
            key: opts.tls.key,
            cert: opts.tls.cert,
            ca: opts.tls.ca,
            requestCert: opts.tls.requestCert,
            rejectUnauthorized: opts.tls.requestCert,
          },
          onConn,
        )
      : net.createServer(onConn);
  };
  const listen = (srv: Server, port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve((srv.address() as AddressInfo).port));
    });
  let server = make();
  const port = await listen(server, 0);
  const closeServer = (srv: Server): Promise<void> =>
    new Promise((resolve) => {
      srv.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    received,
    alerts: () =>
      received.filter((m) => m.topic.endsWith('/alert')).map((m) => JSON.parse(m.payload.toString()) as Record<string, unknown>),
    down: () => closeServer(server),
    up: async () => {
      server = make();
      await listen(server, port);
    },
    close: async () => {
      await closeServer(server);
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
