// Connector clients kept, not rebuilt per turn. CloudAdapter asks the authentication for a
// ConnectorClient and a UserTokenClient on every turn, whether or not the turn calls Teams, and
// each one builds an Azure HTTP pipeline (policies sorted, a sanitizer, environment look-ups): a
// sixth of a paste's CPU before this cache. A client holds no per-turn state (its credentials
// fetch and refresh their own tokens), so one per bot app id, service URL and audience serves every
// turn and every proactive send that addresses the same place.
import { AuthenticationConstants, ConnectorFactory, type ClaimsIdentity, type ConnectorClient, type UserTokenClient } from 'botframework-connector';

/** At most this many clients of each kind are kept (Teams uses a handful of service URLs per cloud region). */
export const MAX_CACHED_CLIENTS = 64;

/**
 * A small LRU of promises: a creation in flight is shared, a failed one is forgotten (the next
 * turn tries again), and the least recently used entry goes when the bound is reached. Keys come
 * from activities (the service URL), so the bound is what keeps a flood of made-up URLs harmless.
 */
export class ClientCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly limit = MAX_CACHED_CLIENTS) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, create: () => Promise<T>): Promise<T> {
    const found = this.entries.get(key);
    if (found) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, found);
      return found;
    }
    const created = create();
    this.entries.set(key, created);
    created.catch(() => {
      if (this.entries.get(key) === created) this.entries.delete(key);
    });
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
    return created;
  }
}

/**
 * The connector factory botbuilder made for one bot app id, with its clients kept in `cache`.
 * Only `create` is used by botbuilder and by this bot.
 */
export class CachingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly appId: string,
    private readonly cache: ClientCache<ConnectorClient>,
  ) {
    super();
  }

  override create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return this.cache.get(`${this.appId}\n${serviceUrl}\n${audience ?? ''}`, () => this.inner.create(serviceUrl, audience));
  }
}

/** The bot app id botbuilder's own factories are built for: the token's audience, else its app id claim. */
export function botAppIdOf(claimsIdentity: ClaimsIdentity): string {
  return claimsIdentity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? claimsIdentity.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
}

/** Both kinds of client, kept for one authentication object. */
export interface ClientCaches {
  connectors: ClientCache<ConnectorClient>;
  userTokens: ClientCache<UserTokenClient>;
}

export function createClientCaches(limit = MAX_CACHED_CLIENTS): ClientCaches {
  return { connectors: new ClientCache(limit), userTokens: new ClientCache(limit) };
}
