import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';

export interface LostResponseRule {
  method: string;
  path: RegExp;
  /** How many matching requests lose their response; default 1. */
  times?: number;
}

/**
 * In front of the fake GitHub: passes everything through, except that for a matching request it
 * lets GitHub do the work and then answers 502 instead, as GitHub's front end does when the
 * backend finished but the answer timed out. The fake's own faults fail before doing anything; this
 * is the other, nastier half: a write that happened although the client was told it did not.
 */
export class LostResponseProxy {
  private rules: { rule: LostResponseRule; remaining: number }[] = [];
  readonly lost: { method: string; path: string }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<LostResponseProxy> {
    const upstream = new URL(target);
    let proxy: LostResponseProxy | null = null;
    const server = createServer((req, res) => {
      const forwarded = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer: IncomingMessage) => {
          const lose = proxy?.take(req.method ?? 'GET', new URL(req.url ?? '/', target).pathname) ?? false;
          if (lose) {
            answer.resume();
            answer.once('end', () => {
              res.writeHead(502, { 'content-type': 'application/json' });
              res.end(JSON.stringify({ message: 'Server Error' }));
            });
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      req.pipe(forwarded);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy did not get a port');
    proxy = new LostResponseProxy(server, `http://127.0.0.1:${address.port}`);
    return proxy;
  }

  loseNext(rule: LostResponseRule): void {
    this.rules.push({ rule, remaining: rule.times ?? 1 });
  }

  pending(): number {
    return this.rules.reduce((sum, r) => sum + r.remaining, 0);
  }

  private take(method: string, path: string): boolean {
    const hit = this.rules.find(
      (r) => r.remaining > 0 && r.rule.method.toUpperCase() === method && r.rule.path.test(path),
    );
    if (hit === undefined) return false;
    hit.remaining -= 1;
    this.lost.push({ method, path });
    return true;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close').catch(() => {});
  }
}
