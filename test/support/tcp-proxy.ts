import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy the test controls, put between the service and a real server (PostgreSQL) to
 * break the network in the two ways that matter:
 * - `partition()`: bytes stop flowing in both directions, but no connection is closed and new
 *   ones are still accepted (a firewall dropping packets, a switch gone dark); `heal()` lets
 *   the held bytes through, as TCP retransmission would;
 * - `stop()`: every connection is closed and new ones are closed at once (the server went
 *   down cleanly); `start()` accepts again.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #links = new Set<Link>();
  #partitioned = false;
  #stopped = false;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  static async listen(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === "string") throw new Error("proxy not listening");
    return address.port;
  }

  /** Connections currently open through the proxy. */
  get connections(): number {
    return this.#links.size;
  }

  partition(): void {
    this.#partitioned = true;
  }

  heal(): void {
    this.#partitioned = false;
    for (const link of this.#links) link.flush();
  }

  stop(): void {
    this.#stopped = true;
    for (const link of this.#links) link.destroy();
  }

  start(): void {
    this.#stopped = false;
  }

  async close(): Promise<void> {
    this.stop();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.#stopped) {
      client.destroy();
      return;
    }
    const upstream = connect(this.#target.port, this.#target.host);
    const link = new Link(client, upstream, () => this.#partitioned);
    this.#links.add(link);
    link.onClosed(() => this.#links.delete(link));
  }
}

/** One proxied connection: two sockets, and the bytes held back while partitioned. */
class Link {
  readonly #held = new Map<Socket, Buffer[]>();
  readonly #sockets: readonly [Socket, Socket];
  #closed = false;
  #onClosed: (() => void) | undefined;

  constructor(client: Socket, upstream: Socket, partitioned: () => boolean) {
    this.#sockets = [client, upstream];
    this.#forward(client, upstream, partitioned);
    this.#forward(upstream, client, partitioned);
  }

  onClosed(callback: () => void): void {
    this.#onClosed = callback;
  }

  /** Sends what was held back, in order, and resumes reading. */
  flush(): void {
    for (const [from, chunks] of this.#held) {
      const to = from === this.#sockets[0] ? this.#sockets[1] : this.#sockets[0];
      for (const chunk of chunks) to.write(chunk);
      chunks.length = 0;
      from.resume();
    }
  }

  destroy(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  #forward(from: Socket, to: Socket, partitioned: () => boolean): void {
    this.#held.set(from, []);
    from.on("data", (chunk: Buffer) => {
      if (partitioned()) {
        this.#held.get(from)?.push(chunk);
        // Stop reading: the kernel buffers fill up and the sender stalls, as on a real network.
        from.pause();
        return;
      }
      to.write(chunk);
    });
    from.on("error", () => this.destroy());
    from.on("close", () => {
      to.destroy();
      if (!this.#closed) {
        this.#closed = true;
        this.#onClosed?.();
      }
    });
  }
}
