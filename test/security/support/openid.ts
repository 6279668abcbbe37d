// Test doubles for Bot Framework authentication: RSA keys made at test time, a token signer, a loopback
// OpenID metadata + JWKS server, and hostile key hosts (one refuses connections, one never answers).
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface TestSigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public half as published in a JWKS. */
  jwk: Record<string, unknown>;
}

/** A fresh 2048-bit RSA key; `extra` lands in the published JWK (endorsements, alg, use). */
export function generateSigningKey(kid: string, extra: Record<string, unknown> = {}): TestSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { n, e } = publicKey.export({ format: 'jwk' });
  return { kid, privateKey, publicKey, jwk: { kty: 'RSA', use: 'sig', kid, n, e, ...extra } };
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS signed with RSASSA-PKCS1-v1_5 (RS256 by default). */
export function signToken(
  key: Pick<TestSigningKey, 'kid' | 'privateKey'>,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const alg = (header['alg'] as string | undefined) ?? 'RS256';
  const head = b64url({ alg, typ: 'JWT', kid: key.kid, ...header });
  const body = b64url(claims);
  const hash = alg === 'RS384' ? 'sha384' : alg === 'RS512' ? 'sha512' : 'sha256';
  const signature = sign(hash, Buffer.from(`${head}.${body}`), key.privateKey).toString('base64url');
  return `${head}.${body}.${signature}`;
}

/** `alg: none`: no signature at all. */
export function unsignedToken(claims: Record<string, unknown>, kid = 'any'): string {
  return `${b64url({ alg: 'none', typ: 'JWT', kid })}.${b64url(claims)}.`;
}

/** The classic algorithm-confusion forgery: HS256 keyed with the issuer's public key. */
export function hmacWithPublicKey(key: TestSigningKey, claims: Record<string, unknown>): string {
  const head = b64url({ alg: 'HS256', typ: 'JWT', kid: key.kid });
  const body = b64url(claims);
  const secret = key.publicKey.export({ format: 'pem', type: 'spki' });
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

export interface OpenIdServer {
  /** ToBotFromChannelOpenIdMetadataUrl */
  metadataUrl: string;
  /** Requests served so far (metadata and JWKS). */
  hits: () => number;
  /** Publish a different key set (rotation). */
  setKeys: (jwks: Record<string, unknown>[]) => void;
  close: () => Promise<void>;
}

/** OpenID metadata at /v1/.well-known/openidconfiguration pointing at /v1/keys, on 127.0.0.1. */
export async function startOpenIdServer(jwks: Record<string, unknown>[]): Promise<OpenIdServer> {
  let keys = jwks;
  let hits = 0;
  let base = '';
  const server = createHttpServer((req, res) => {
    hits += 1;
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/.well-known/openidconfiguration') {
      res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${base}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/v1/keys') {
      res.end(JSON.stringify({ keys }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  const port = await listen(server);
  base = `http://127.0.0.1:${port}`;
  return {
    metadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    hits: () => hits,
    setKeys: (next) => {
      keys = next;
    },
    close: () => closeServer(server),
  };
}

export interface HostileHost {
  url: string;
  /** Connections accepted so far (always 0 for a refusing host). */
  connections: () => number;
  close: () => Promise<void>;
}

/** A loopback port nobody listens on: connecting is refused at once. */
export async function refusingHost(): Promise<HostileHost> {
  const server = createTcpServer();
  const port = await listen(server);
  await closeServer(server);
  return { url: `http://127.0.0.1:${port}/v1/.well-known/openidconfiguration`, connections: () => 0, close: async () => {} };
}

/** Accepts connections, reads the request, and never answers. */
export async function silentHost(): Promise<HostileHost> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/v1/.well-known/openidconfiguration`,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server | ReturnType<typeof createTcpServer>): Promise<void> {
  return new Promise((resolve) => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** The bot the tests pretend to be, and the Teams service that talks to it. */
export const TEST_APP_ID = '6f1c7a2e-0000-4000-8000-00000000b0a7';
export const CHANNEL_ISSUER = 'https://api.botframework.com';
export const TEAMS_SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

/** botbuilder's standard keys for a bot whose inbound keys come from `metadataUrl` (a loopback OpenID server). */
export function loopbackAuthConfig(metadataUrl: string): Record<string, string> {
  return {
    MicrosoftAppId: TEST_APP_ID,
    MicrosoftAppPassword: 'not-a-real-secret',
    MicrosoftAppType: 'MultiTenant',
    ToBotFromChannelOpenIdMetadataUrl: metadataUrl,
    ToBotFromChannelTokenIssuer: CHANNEL_ISSUER,
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  };
}

/** The claims of a genuine Teams channel token for TEST_APP_ID, valid for an hour around `nowSec`. */
export function channelClaims(overrides: Record<string, unknown> = {}, nowSec = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return { iss: CHANNEL_ISSUER, aud: TEST_APP_ID, serviceurl: TEAMS_SERVICE_URL, nbf: nowSec - 60, exp: nowSec + 3600, ...overrides };
}
