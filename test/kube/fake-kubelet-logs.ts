import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';

// The fake kubelet's log endpoint: container logs over HTTPS at
// /containerLogs/<namespace>/<pod>/<container>, with sinceTime, timestamps and follow, which the
// real API server proxies for pods/log as it would to a kubelet.

export interface LogLine {
  ns: bigint;
  stamp: string;
  text: string;
}

/** What the endpoint serves of one container: its lines so far, and the followers of new ones. */
export interface LoggedContainer {
  lines: LogLine[];
  /** Each follower gets every new line, and null when the container has exited. */
  listeners: Set<(line: LogLine | null) => void>;
  exited: boolean;
}

let lastNs = 0n;
/** A log line stamped now, in order (RFC 3339 with nanoseconds, as the kubelet stamps them). */
export function logLine(text: string): LogLine {
  const now = BigInt(Date.now()) * 1_000_000n;
  lastNs = now > lastNs ? now : lastNs + 1n;
  const seconds = lastNs / 1_000_000_000n;
  const nanos = (lastNs % 1_000_000_000n).toString().padStart(9, '0');
  const stamp = `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${nanos}Z`;
  return { ns: lastNs, stamp, text };
}

async function selfSignedCert(dir: string): Promise<{ key: string; cert: string }> {
  const key = join(dir, 'kubelet.key');
  const cert = join(dir, 'kubelet.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
}

export async function serveContainerLogs(
  dir: string,
  containerOf: (pod: string) => LoggedContainer | undefined,
): Promise<{ port: number; dropStreams(): void; close(): Promise<void> }> {
  const open = new Set<ServerResponse>();
  const server: Server = createServer(await selfSignedCert(dir), (req, res) => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const [, kind, , pod] = url.pathname.split('/');
    const run = pod === undefined ? undefined : containerOf(pod);
    if (kind !== 'containerLogs' || run === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    const since = url.searchParams.get('sinceTime');
    const sinceNs = since === null ? 0n : BigInt(Date.parse(since)) * 1_000_000n;
    const stamps = url.searchParams.get('timestamps') === 'true';
    const format = (l: LogLine) => `${stamps ? `${l.stamp} ` : ''}${l.text}\n`;
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (const line of run.lines) if (line.ns >= sinceNs) res.write(format(line));
    if (url.searchParams.get('follow') !== 'true' || run.exited) {
      res.end();
      return;
    }
    open.add(res);
    const listener = (line: LogLine | null) => {
      if (line === null) res.end();
      else res.write(format(line));
    };
    run.listeners.add(listener);
    res.on('close', () => {
      open.delete(res);
      run.listeners.delete(listener);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    dropStreams() {
      for (const res of open) res.destroy();
    },
    async close() {
      for (const res of open) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
