// Tokens for the Defender for Cloud Apps API from an Entra app registration (client credentials)
// through @azure/msal-node, which caches them until they expire. MSAL's own logging stays off:
// nothing it could say (URLs, client ids, errors) goes to our logs; callers see a code at most.

import { CodedError } from '../core/errors.js';
import { createRequire } from 'node:module';
import type { INetworkModule } from '@azure/msal-node';

/** MSAL (over 1 MB of code) is loaded when a token source is made: only when the Defender API poller is configured. */
let msal: typeof import('@azure/msal-node') | undefined;

/** The Defender for Cloud Apps API's application id (its token audience). */
export const MDCA_RESOURCE_APP_ID = '05a65629-4c1b-48c1-a78b-804c4abdd4af';

export interface EntraAppCredential {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** https://login.microsoftonline.com, or a sovereign cloud's. */
  authorityHost: string;
}

export interface TokenSource {
  /** A bearer token; `fresh` skips MSAL's cache (after the API refused the cached one). */
  token(fresh?: boolean): Promise<string>;
}

/** Why a token could not be had, without anything MSAL said in words (it may name the client). */
export class TokenError extends CodedError {
  constructor(code: string) {
    super(code, `could not get a token for the Defender for Cloud Apps API (${code})`);
  }
}

const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export function createEntraTokenSource(credential: EntraAppCredential, options: { networkClient?: INetworkModule } = {}): TokenSource {
  const host = credential.authorityHost.replace(/\/+$/, '');
  msal ??= createRequire(import.meta.url)('@azure/msal-node') as typeof import('@azure/msal-node');
  const { ConfidentialClientApplication, LogLevel } = msal;
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: credential.clientId,
      clientSecret: credential.clientSecret,
      authority: `${host}/${credential.tenantId}`,
      // A sovereign or test authority is not in Microsoft's public instance list: trust it as configured.
      ...(host !== DEFAULT_AUTHORITY_HOST ? { knownAuthorities: [new URL(host).host] } : {}),
    },
    system: {
      loggerOptions: { loggerCallback: () => undefined, piiLoggingEnabled: false, logLevel: LogLevel.Error },
      ...(options.networkClient ? { networkClient: options.networkClient } : {}),
    },
  });
  return {
    async token(fresh = false) {
      try {
        const result = await app.acquireTokenByClientCredential({ scopes: [`${MDCA_RESOURCE_APP_ID}/.default`], skipCache: fresh });
        if (!result?.accessToken) throw new TokenError('no_token');
        return result.accessToken;
      } catch (error) {
        if (error instanceof TokenError) throw error;
        const code = (error as { errorCode?: unknown })?.errorCode;
        throw new TokenError(typeof code === 'string' && /^[a-z0-9_]{1,64}$/i.test(code) ? code : 'unknown');
      }
    },
  };
}
