import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';

/**
 * The embedded broker for the demo and unit-level tests: aedes on loopback,
 * port 0 by default. Not for production: a plant has its own broker.
 */
export class EmbeddedBroker {
  private server: Server | undefined;
  private aedes: Aedes | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly port = 0,
    private readonly log?: Logger,
  ) {}

  async start(): Promise<number> {
    const aedes = await Aedes.createBroker();
    this.aedes = aedes;
    const server = createServer((sock) => {
      sock.setNoDelay(true);
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
      aedes.handle(sock);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.log?.info({ port: this.boundPort }, 'embedded broker listening');
    return this.boundPort;
  }

  get boundPort(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.boundPort}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    const a = this.aedes;
    this.aedes = undefined;
    if (a) await new Promise<void>((r) => a.close(() => r()));
  }
}
