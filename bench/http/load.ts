// One measured window of load: autocannon (programmatic) with N keep-alive connections for S seconds,
// every request body made fresh by the workload, every 2xx answer handed back to it to check.
import autocannon from 'autocannon';

/** Per-connection scratchpad: what the last request was, for reading its answer. */
export type ConnectionContext = Record<string, unknown>;

export interface Workload {
  /** The body of the next POST /api/messages on this connection. */
  nextBody(context: ConnectionContext): string;
  /** Look at a 2xx answer to the request last made on this connection; false when it carried no card. */
  check?(body: string, context: ConnectionContext): boolean;
}

export interface LoadSettings {
  connections: number;
  seconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers received (any status). */
  answers: number;
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  /** 2xx answers without an Adaptive Card; undefined when the workload does not check. */
  withoutCard: number | undefined;
}

export async function runLoad(url: string, workload: Workload, settings: LoadSettings): Promise<LoadResult> {
  let withoutCard = 0;
  const result = await autocannon({
    url: `${url}/api/messages`,
    connections: settings.connections,
    duration: settings.seconds,
    // Each connection waits for its answer before the next request, as one Teams client turn does.
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/api/messages',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request, context) => ({ ...request, body: workload.nextBody(context as ConnectionContext) }),
        onResponse: (status, body, context) => {
          if (workload.check && status >= 200 && status < 300 && !workload.check(body, context as ConnectionContext)) withoutCard += 1;
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    answers: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    withoutCard: workload.check ? withoutCard : undefined,
  };
}
