// A loopback stand-in for the Defender for Cloud Apps alerts API, built from its documentation
// (POST /api/v1/alerts/ with filters, sortField/sortDirection, skip/limit; answers {data, hasNext,
// total}; "Authorization: Token <token>" or an Entra bearer token), and for the Entra token endpoint
// an app registration's client credentials go to. Only what the poller uses is implemented: the
// date and resolutionDate filters with gte, sorting by date, paging. Every request is recorded.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export interface FakeAlert {
  _id: string;
  timestamp: number;
  title: string;
  description?: string;
  isSystemAlert?: boolean;
  resolutionStatusValue: number;
  /** When it was resolved (ms); used by the resolutionDate filter. */
  resolvedAt?: number;
  entities?: { id: unknown; label: string; type: string }[];
  URL?: string;
}

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface MdcaFake {
  /** Base URL of the API (MDCA_API_URL). */
  apiUrl: string;
  /** Authority host MSAL is configured with; requests to it reach this fake through `networkClient`. */
  authorityHost: string;
  networkClient: INetworkModule;
  alerts: FakeAlert[];
  requests: RecordedRequest[];
  /** Token requests to the Entra endpoint (form bodies: they hold the client secret). */
  tokenRequests: RecordedRequest[];
  /** The next API answers, one per request, before normal service: e.g. { status: 429, retryAfter: '120' }. */
  failNext: { status: number; retryAfter?: string }[];
  /** Entra tokens the API accepts; revoke() empties it, so cached tokens are refused with 401. */
  revokeTokens(): void;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const AUTHORITY_HOST = 'https://login.fake-entra.test';

export async function startMdcaFake(options: { apiToken?: string; tenantId?: string; clientId?: string; clientSecret?: string } = {}): Promise<MdcaFake> {
  const requests: RecordedRequest[] = [];
  const tokenRequests: RecordedRequest[] = [];
  const valid = new Set<string>();
  let issued = 0;
  const fake = { alerts: [] as FakeAlert[], failNext: [] as { status: number; retryAfter?: string }[] } as MdcaFake;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };
      // Entra: the tenant's OpenID metadata and its token endpoint.
      const tenant = options.tenantId ?? 'tenant-fake';
      if (url.pathname === `/${tenant}/v2.0/.well-known/openid-configuration`) {
        json(200, {
          issuer: `${AUTHORITY_HOST}/${tenant}/v2.0`,
          authorization_endpoint: `${AUTHORITY_HOST}/${tenant}/oauth2/v2.0/authorize`,
          token_endpoint: `${AUTHORITY_HOST}/${tenant}/oauth2/v2.0/token`,
          end_session_endpoint: `${AUTHORITY_HOST}/${tenant}/oauth2/v2.0/logout`,
          jwks_uri: `${AUTHORITY_HOST}/${tenant}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        });
        return;
      }
      if (url.pathname === `/${tenant}/oauth2/v2.0/token`) {
        tokenRequests.push({ path: url.pathname, headers: req.headers, body });
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== options.clientId || form.get('client_secret') !== options.clientSecret) {
          json(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
          return;
        }
        const token = `fake-access-token-${++issued}`;
        valid.add(token);
        json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
        return;
      }
      if (url.pathname !== '/api/v1/alerts/' || req.method !== 'POST') {
        json(404, { error: 'not found' });
        return;
      }
      requests.push({ path: url.pathname, headers: req.headers, body });
      const failure = fake.failNext.shift();
      if (failure) {
        json(failure.status, { detail: 'refused by the fake' }, failure.retryAfter ? { 'retry-after': failure.retryAfter } : {});
        return;
      }
      const auth = req.headers.authorization ?? '';
      const allowed = (options.apiToken && auth === `Token ${options.apiToken}`) || (auth.startsWith('Bearer ') && valid.has(auth.slice(7)));
      if (!allowed) {
        json(401, { detail: 'Invalid token' });
        return;
      }
      const query = JSON.parse(body || '{}') as { filters?: Record<string, { gte?: number }>; sortDirection?: string; skip?: number; limit?: number };
      let list = [...fake.alerts];
      const since = query.filters?.date?.gte;
      if (since !== undefined) list = list.filter((a) => a.timestamp >= since);
      const resolvedSince = query.filters?.resolutionDate?.gte;
      if (resolvedSince !== undefined) list = list.filter((a) => a.resolvedAt !== undefined && a.resolvedAt >= resolvedSince);
      list.sort((a, b) => (query.sortDirection === 'desc' ? b.timestamp - a.timestamp : a.timestamp - b.timestamp));
      const skip = query.skip ?? 0;
      const limit = Math.min(query.limit ?? 100, 100);
      const data = list.slice(skip, skip + limit).map(({ resolvedAt: _r, ...alert }) => alert);
      json(200, { data, hasNext: skip + limit < list.length, total: list.length });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const loopback = `http://127.0.0.1:${port}`;

  /** MSAL's HTTP, with the fake authority host sent to this loopback server. */
  const send = async <T>(method: 'GET' | 'POST', url: string, request?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const target = url.startsWith(AUTHORITY_HOST) ? loopback + url.slice(AUTHORITY_HOST.length) : url;
    if (!target.startsWith(loopback)) throw new Error(`the test network reaches no host but the fakes (asked for ${new URL(url).host})`);
    const response = await fetch(target, { method, headers: request?.headers, body: request?.body });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key] = value));
    return { status: response.status, headers, body: (await response.json()) as T };
  };

  Object.assign(fake, {
    apiUrl: loopback,
    authorityHost: AUTHORITY_HOST,
    networkClient: { sendGetRequestAsync: (url: string, o?: NetworkRequestOptions) => send('GET', url, o), sendPostRequestAsync: (url: string, o?: NetworkRequestOptions) => send('POST', url, o) },
    requests,
    tokenRequests,
    revokeTokens: () => valid.clear(),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
  return fake;
}

/** A system alert about an app connector, in the shape the API returns. */
export function connectorAlert(id: string, timestamp: number, app: string, error: string, resolution = 0): FakeAlert {
  return {
    _id: id,
    timestamp,
    title: 'System alert app connector error',
    description: `The ${app} app connector failed: ${error}`,
    isSystemAlert: true,
    resolutionStatusValue: resolution,
    entities: [{ id: 1, label: app, type: 'service' }],
    URL: `https://contoso.portal.cloudappsecurity.com/#/alerts/${id}`,
  };
}
