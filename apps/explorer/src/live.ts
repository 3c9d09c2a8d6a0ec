// Live updates to browsers over Server-Sent Events (`GET /api/events`). Each event says
// which views changed (`network`, `tree`, `blocks`, `mempool`) and carries new reorg
// events; pages re-read what they show. EventSource reconnects by itself.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { ChangeKind, ReorgEvent } from './network.js';

const HEARTBEAT_MS = 15_000;

export class LiveHub {
  private readonly clients = new Set<ServerResponse>();
  private version = 0;
  private readonly heartbeat: NodeJS.Timeout;

  constructor() {
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) c.write(': ping\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  attach(req: FastifyRequest, reply: FastifyReply): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(
      `retry: 2000\n\nevent: hello\ndata: ${JSON.stringify({ version: this.version })}\n\n`,
    );
    this.clients.add(res);
    const drop = (): void => {
      this.clients.delete(res);
    };
    req.raw.on('close', drop);
    res.on('error', drop);
  }

  publish(kinds: ChangeKind[], reorgs: ReorgEvent[]): void {
    this.version++;
    const data = JSON.stringify({ version: this.version, kinds, reorgs });
    for (const c of this.clients) c.write(`event: update\ndata: ${data}\n\n`);
  }

  closeAll(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
