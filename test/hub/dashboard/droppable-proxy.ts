import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/**
 * A loopback TCP proxy in front of the hub's WebSocket port that a test can cut: `drop()` destroys every
 * connection and stops accepting (so the browser's reconnects fail), `restore()` listens again on the same port.
 */
export class DroppableProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;

  private constructor(
    private readonly targetPort: number,
    private port: number,
  ) {}

  static async start(targetPort: number): Promise<DroppableProxy> {
    const proxy = new DroppableProxy(targetPort, 0);
    await proxy.listen();
    return proxy;
  }

  /** The WebSocket URL to give the page. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  drop(): void {
    this.server?.close();
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): Promise<void> {
    return this.listen();
  }

  async close(): Promise<void> {
    this.drop();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        const address = server.address();
        if (typeof address === 'object' && address) this.port = address.port;
        resolve();
      });
    });
  }
}
