export interface FaultMatch {
  method?: string;
  /**
   * A path like `/repos/o/r/issues/comments`, a template with `{placeholders}` (each matches one
   * segment) and `*` (matches anything), or a RegExp tested against the request path.
   */
  pathPattern?: string | RegExp;
}

export interface SecondaryLimitFault {
  status: 403 | 429;
  /** Seconds, sent as `retry-after`; omitted when undefined, as GitHub sometimes does. */
  retryAfter?: number;
  match?: FaultMatch;
  /** How many matching requests fail; default 1. */
  times?: number;
}

export interface ServerErrorFault {
  status: 500 | 502 | 503 | 504;
  match?: FaultMatch;
  times?: number;
}

export type FaultSpec = SecondaryLimitFault | ServerErrorFault;

export interface LatencySpec {
  ms: number;
  match?: FaultMatch;
  /** How many matching requests are delayed; default: every one until cleared. */
  times?: number;
}

interface Armed<T> {
  spec: T;
  remaining: number;
  test: (method: string, path: string) => boolean;
}

/** Failures and delays that tests script ahead of the requests they should hit, consumed in order. */
export class Faults {
  private faults: Armed<FaultSpec>[] = [];
  private delays: Armed<LatencySpec>[] = [];

  next(spec: FaultSpec): void {
    this.faults.push({ spec, remaining: spec.times ?? 1, test: matcher(spec.match) });
  }

  latency(spec: LatencySpec): void {
    this.delays.push({ spec, remaining: spec.times ?? Number.POSITIVE_INFINITY, test: matcher(spec.match) });
  }

  clear(): void {
    this.faults = [];
    this.delays = [];
  }

  /** Faults armed and not yet consumed. */
  pending(): number {
    return this.faults.reduce((sum, f) => sum + f.remaining, 0);
  }

  take(method: string, path: string): FaultSpec | null {
    return consume(this.faults, method, path)?.spec ?? null;
  }

  delayFor(method: string, path: string): number {
    return consume(this.delays, method, path)?.spec.ms ?? 0;
  }
}

function consume<T>(list: Armed<T>[], method: string, path: string): Armed<T> | null {
  const hit = list.find((armed) => armed.remaining > 0 && armed.test(method, path));
  if (hit === undefined) return null;
  hit.remaining -= 1;
  return hit;
}

function matcher(match: FaultMatch | undefined): (method: string, path: string) => boolean {
  const method = match?.method?.toUpperCase();
  const pattern = match?.pathPattern;
  const regex =
    pattern === undefined
      ? null
      : typeof pattern === 'string'
        ? templateRegex(pattern, { wildcard: true })
        : pattern;
  return (m, path) => (method === undefined || method === m) && (regex === null || regex.test(path));
}

/** `/repos/{owner}/{repo}` → a RegExp with one capture group per placeholder. */
export function templateRegex(template: string, options: { wildcard?: boolean } = {}): RegExp {
  const source = template
    .split(/(\{[^}]+\}|\*)/)
    .map((part) => {
      // `{name+}` spans segments (a branch like `feature/x`); `{name}` is one segment.
      if (part.startsWith('{')) return part.endsWith('+}') ? '(.+)' : '([^/]+)';
      if (part === '*' && options.wildcard) return '.*';
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}
