// The network layer the runner puts between real nodes, so that it can partition them:
//
// - Each node i gets its own tracker URL, a small "view" server that forwards /register and
//   /unregister to the real tracker and answers /nodes from the real tracker's list, with
//   every peer j replaced by a proxy address P(i→j) and peers across a partition left out.
// - P(i→j) is a TCP proxy to node j's port. Node i reaches j (WebSocket gossip and REST
//   polling alike) only through it; cutting the link closes the proxy's connections and
//   refuses new ones, healing opens it again.
//
// - Per-pair delays (a scenario's `network.links` rules): P(i→j) holds every chunk it
//   forwards, both ways, by the link's one-way delay, so a block j sends to i arrives that
//   much later whichever of the two dialled. (A delay the same on every link is instead the
//   nodes' own --gossip-delay-ms, which delays blocks only.)
//
// So the nodes run unmodified, discover each other through the real tracker, and a
// partition cuts exactly the links between groups.
import http from 'node:http';
import net from 'node:net';

class PairProxy {
  up = true;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(
    private readonly target: () => number | null,
    /** One-way delay of the link, ms (0: bytes pass at once). */
    private readonly delayMs = 0,
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  listen(): Promise<void> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve();
      }),
    );
  }

  private accept(client: net.Socket): void {
    const port = this.target();
    if (!this.up || port === null) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, '127.0.0.1');
    const d = this.delayMs;
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        // Bytes still held for the other side go out first (an HTTP answer, say).
        const close = () => {
          client.destroy();
          upstream.destroy();
        };
        if (d > 0 && this.up) setTimeout(close, d + 5);
        else close();
      });
    }
    if (d <= 0) {
      client.pipe(upstream);
      upstream.pipe(client);
      return;
    }
    // Timers of one duration fire in the order they were set: the stream keeps its order.
    const hold = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk: Buffer) => {
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk);
        }, d);
      });
      from.on('end', () => setTimeout(() => to.end(), d));
    };
    hold(client, upstream);
    hold(upstream, client);
  }

  setUp(up: boolean): void {
    this.up = up;
    if (!up) for (const s of this.sockets) s.destroy();
  }

  close(): Promise<void> {
    this.setUp(false);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

export class NetworkControl {
  /** Node j's own URL (what it registers), once started. */
  private readonly nodeUrl: (string | null)[];
  private readonly nodePort: (number | null)[];
  /** Partition group of each node (all 0 when healed). */
  private group: number[];
  private readonly proxies: (PairProxy | null)[][];
  private readonly views: http.Server[] = [];
  readonly viewUrls: string[] = [];

  constructor(
    private readonly trackerUrl: string,
    readonly n: number,
    /** delaysMs[i][j]: one-way delay of the link between nodes i and j (null: none). */
    delaysMs: number[][] | null = null,
  ) {
    this.nodeUrl = new Array<string | null>(n).fill(null);
    this.nodePort = new Array<number | null>(n).fill(null);
    this.group = new Array<number>(n).fill(0);
    this.proxies = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) =>
        i === j ? null : new PairProxy(() => this.nodePort[j]!, delaysMs?.[i]?.[j] ?? 0),
      ),
    );
  }

  async start(): Promise<void> {
    for (const row of this.proxies) for (const p of row) if (p) await p.listen();
    for (let i = 0; i < this.n; i++) {
      const server = http.createServer((req, res) => void this.serveView(i, req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      this.views.push(server);
      this.viewUrls.push(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    }
  }

  /** Node j listens at `url` (called again after a restart). */
  setNode(j: number, url: string): void {
    this.nodeUrl[j] = url;
    this.nodePort[j] = Number(new URL(url).port);
  }

  private proxyUrl(i: number, j: number): string {
    return `http://127.0.0.1:${this.proxies[i]![j]!.port}`;
  }

  private linkUp(i: number, j: number): boolean {
    return this.group[i] === this.group[j];
  }

  /** Node i's tracker view: the real tracker, with peers behind proxies and partitions applied. */
  private async serveView(
    i: number,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/running') return send(200, 'running', 'text/plain');
      if (req.method === 'POST' && (path === '/register' || path === '/unregister')) {
        const answer = await fetch(`${this.trackerUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: await readBody(req),
          signal: AbortSignal.timeout(3000),
        });
        return send(answer.status, await answer.text());
      }
      if (req.method === 'GET' && path === '/nodes') {
        const answer = await fetch(`${this.trackerUrl}/nodes`, {
          signal: AbortSignal.timeout(3000),
        });
        const urls = (await answer.json()) as string[];
        const out: string[] = [];
        for (const url of urls) {
          const j = this.nodeUrl.indexOf(url);
          if (j >= 0 && j !== i && this.linkUp(i, j)) out.push(this.proxyUrl(i, j));
        }
        return send(200, JSON.stringify(out));
      }
      send(404, JSON.stringify({ error: { code: 'NOT_FOUND', message: 'not a tracker route' } }));
    } catch (e) {
      send(
        502,
        JSON.stringify({ error: { code: 'TRACKER_UNREACHABLE', message: (e as Error).message } }),
      );
    }
  }

  /** `groups[j]` = partition group of node j; links between different groups are cut. */
  setGroups(groups: number[]): void {
    this.group = [...groups];
    for (let i = 0; i < this.n; i++) {
      for (let j = 0; j < this.n; j++) if (i !== j) this.proxies[i]![j]!.setUp(this.linkUp(i, j));
    }
  }

  async close(): Promise<void> {
    for (const row of this.proxies) for (const p of row) if (p) await p.close();
    for (const v of this.views) {
      v.closeAllConnections();
      await new Promise<void>((resolve) => v.close(() => resolve()));
    }
  }
}
