// A degraded network link as a TCP proxy (tc netem is not available in every kernel): per direction an added
// delay with jitter and a bandwidth cap, and "loss" as an application sees it over TCP — connections reset every
// few seconds, then a short blackout in which new connections are refused. Bytes keep their order per connection.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface LinkDirection {
  /** Added one-way delay, ms. */
  delayMs?: number;
  /** Uniform extra delay in [-jitterMs, +jitterMs], never reordering bytes. */
  jitterMs?: number;
  /** Bandwidth cap, bytes/s; unlimited when absent. */
  bytesPerSecond?: number;
}

export interface LinkFaults {
  /** Client to target (e.g. a camera node's producer to the broker). */
  up?: LinkDirection;
  /** Target to client. */
  down?: LinkDirection;
  /** Destroy every open connection (both sockets) this often, ms. */
  resetEveryMs?: number;
  /** After each reset, refuse new connections for this long, ms. */
  blackoutMs?: number;
}

export interface LinkStats {
  connections: number;
  /** Connections refused during a blackout. */
  refused: number;
  /** Reset rounds, and connections destroyed by them. */
  resets: number;
  connectionsReset: number;
  bytesUp: number;
  bytesDown: number;
}

/** One direction of the link's wire, shared by every connection crossing it: when it is free to send again. */
export interface Wire {
  freeAt: number;
}

/**
 * When each chunk of one direction of one connection leaves the link: once the shared wire has serialised it at
 * the capped rate, plus the delay and its jitter, and never before the chunk ahead of it (TCP does not reorder
 * a stream). Pure: the caller passes the clock and the random draw.
 */
export class LinkClock {
  private lastRelease = 0;
  constructor(
    private readonly dir: LinkDirection,
    private readonly wire: Wire = { freeAt: 0 },
  ) {}

  /** `random` in [0, 1): the jitter draw. */
  releaseAt(now: number, bytes: number, random: number): number {
    const { delayMs = 0, jitterMs = 0, bytesPerSecond } = this.dir;
    const start = Math.max(now, this.wire.freeAt);
    const sent = start + (bytesPerSecond ? (bytes / bytesPerSecond) * 1000 : 0);
    this.wire.freeAt = sent;
    const jitter = jitterMs ? (2 * random - 1) * jitterMs : 0;
    this.lastRelease = Math.max(sent + Math.max(0, delayMs + jitter), this.lastRelease);
    return this.lastRelease;
  }
}

/** Chunks larger than this are paced in pieces, so a cap spreads a big record over time as a wire would. */
const SLICE = 16 << 10;
/** Bytes held in one direction before its sender is paused: the link's "window". */
const HIGH_WATER = 256 << 10;

/** One direction of one connection: a queue released in order by a single timer. */
class Pipe {
  private readonly queue: Array<{ at: number; buf: Buffer }> = [];
  private held = 0;
  private timer: NodeJS.Timeout | null = null;
  private ended = false;
  private readonly clock: LinkClock;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    dir: LinkDirection,
    wire: Wire,
    private readonly count: (n: number) => void,
  ) {
    this.clock = new LinkClock(dir, wire);
    from.on('data', (chunk: Buffer) => this.push(chunk));
    from.on('end', () => {
      this.ended = true;
      this.flush();
    });
    to.on('drain', () => this.maybeResume());
  }

  private push(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i += SLICE) {
      const buf = chunk.subarray(i, i + SLICE);
      this.queue.push({ at: this.clock.releaseAt(Date.now(), buf.length, Math.random()), buf });
      this.held += buf.length;
    }
    if (this.held > HIGH_WATER) this.from.pause();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, Math.max(0, this.queue[0]!.at - Date.now()));
  }

  private flush(): void {
    const now = Date.now();
    while (this.queue.length && this.queue[0]!.at <= now) {
      const { buf } = this.queue.shift()!;
      this.held -= buf.length;
      this.count(buf.length);
      if (!this.to.destroyed) this.to.write(buf);
    }
    if (this.queue.length) this.schedule();
    else if (this.ended && !this.to.destroyed) this.to.end();
    this.maybeResume();
  }

  private maybeResume(): void {
    if (this.held < HIGH_WATER / 2 && !this.to.writableNeedDrain && this.from.isPaused()) this.from.resume();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }
}

export class LinkProxy {
  readonly stats: LinkStats = { connections: 0, refused: 0, resets: 0, connectionsReset: 0, bytesUp: 0, bytesDown: 0 };
  private readonly open = new Set<{ client: Socket; upstream: Socket; pipes: Pipe[] }>();
  private blackoutUntil = 0;
  /** The cap is the link's, not each connection's: all of them share one wire per direction. */
  private readonly wires = { up: { freeAt: 0 }, down: { freeAt: 0 } };
  private resetTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private faults: LinkFaults,
  ) {}

  /** Listens on `listen` (host:port, port 0 picks one) and forwards every connection to `target` (host:port). */
  static async start(listen: string, target: string, faults: LinkFaults = {}): Promise<LinkProxy> {
    const [lhost, lport] = hostPort(listen);
    const [thost, tport] = hostPort(target);
    let proxy: LinkProxy | null = null;
    const server = createServer({ allowHalfOpen: true }, (client) => proxy!.accept(client, thost, tport));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(lport, lhost, () => resolve());
    });
    const address = server.address();
    proxy = new LinkProxy(server, typeof address === 'object' && address ? address.port : lport, faults);
    proxy.setFaults(faults);
    return proxy;
  }

  /** Changes the link's behaviour for connections from now on (a clean link: `{}`). */
  setFaults(faults: LinkFaults): void {
    this.faults = faults;
    if (this.resetTimer) clearInterval(this.resetTimer);
    this.resetTimer = faults.resetEveryMs ? setInterval(() => this.reset(), faults.resetEveryMs) : null;
  }

  /** Destroys every open connection now and starts a blackout, as a dropped link would. */
  reset(): void {
    this.stats.resets++;
    this.blackoutUntil = Date.now() + (this.faults.blackoutMs ?? 0);
    for (const c of [...this.open]) {
      this.stats.connectionsReset++;
      this.drop(c);
    }
  }

  private accept(client: Socket, host: string, port: number): void {
    if (Date.now() < this.blackoutUntil) {
      this.stats.refused++;
      client.resetAndDestroy();
      return;
    }
    this.stats.connections++;
    client.setNoDelay(true);
    const upstream = connect({ host, port, allowHalfOpen: true });
    upstream.setNoDelay(true);
    const c = {
      client,
      upstream,
      pipes: [
        new Pipe(client, upstream, this.faults.up ?? {}, this.wires.up, (n) => (this.stats.bytesUp += n)),
        new Pipe(upstream, client, this.faults.down ?? {}, this.wires.down, (n) => (this.stats.bytesDown += n)),
      ],
    };
    this.open.add(c);
    for (const s of [client, upstream]) {
      s.on('error', () => this.drop(c));
      s.on('close', () => this.drop(c));
    }
  }

  private drop(c: { client: Socket; upstream: Socket; pipes: Pipe[] }): void {
    if (!this.open.delete(c)) return;
    for (const p of c.pipes) p.stop();
    c.client.destroy();
    c.upstream.destroy();
  }

  get openConnections(): number {
    return this.open.size;
  }

  async close(): Promise<void> {
    if (this.resetTimer) clearInterval(this.resetTimer);
    this.resetTimer = null;
    for (const c of [...this.open]) this.drop(c);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function hostPort(text: string): [string, number] {
  const m = /^(.+):(\d+)$/.exec(text);
  if (!m) throw new Error(`expected host:port, got '${text}'`);
  return [m[1]!, Number(m[2])];
}
