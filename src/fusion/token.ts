import type { Dispatcher } from 'undici';
import { FusionError } from './errors';
import { sendRequest } from './http';
import { retryTransient } from './retry';

// OAuth 2.0 client credentials against the identity domain. The token is cached in worker
// memory (never returned to a workflow), refreshed before expiry, and fetched once even when
// many requests need it at the same moment.

export interface TokenSettings {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  /** Refresh this long after issue (default 55 minutes), or sooner if the server says so. */
  refreshAfterSeconds: number;
  /** A longer Retry-After from the token endpoint is read as this (default 15 minutes). */
  maxRetryAfterSeconds?: number;
}

/** A token response is a few kilobytes: anything near this is not one. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

export interface CachedToken {
  accessToken: string;
  issuedAt: number;
  refreshAt: number;
  expiresAt: number;
}

export class TokenProvider {
  private cached: CachedToken | null = null;
  private inFlight: Promise<CachedToken> | null = null;

  constructor(
    private readonly settings: TokenSettings,
    private readonly dispatcher: Dispatcher,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid token; fetched or refreshed when none is cached or the refresh time has come. */
  async get(): Promise<CachedToken> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached;
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Forget the cached token (after a 401): the next get() fetches a new one. */
  invalidate(token?: string): void {
    if (!token || this.cached?.accessToken === token) this.cached = null;
  }

  private async fetch(): Promise<CachedToken> {
    const { tokenUrl, clientId, clientSecret, scope, refreshAfterSeconds } = this.settings;
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    // The token endpoint is rate-limited (429) like the REST API: the same bounded retries apply.
    const { body } = await retryTransient(() =>
      sendRequest(
        this.dispatcher,
        tokenUrl,
        {
          method: 'POST',
          headers: {
            authorization: `Basic ${basic}`,
            'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
            accept: 'application/json',
          },
          body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
        },
        `Fusion token request to ${new URL(tokenUrl).host}`,
        {
          maxResponseBytes: MAX_TOKEN_RESPONSE_BYTES,
          maxRetryAfterSeconds: this.settings.maxRetryAfterSeconds ?? 15 * 60,
          // An endpoint that echoes what it was sent must not put the secret into the message.
          secrets: [
            clientSecret,
            encodeURIComponent(clientSecret),
            basic,
            clientId && `${clientId}:${clientSecret}`,
          ],
        },
      ),
    );
    const { access_token: accessToken, expires_in: expiresIn } = (body ?? {}) as Record<string, unknown>;
    const lifetime = Number(expiresIn);
    if (typeof accessToken !== 'string' || !accessToken || !Number.isFinite(lifetime) || lifetime <= 0) {
      throw new FusionError('bad-response', 'Fusion token response lacks access_token or expires_in');
    }
    const issuedAt = this.now();
    // Refresh at the configured age, but always a minute before the server's expiry.
    const refreshIn = Math.max(1, Math.min(refreshAfterSeconds, lifetime - 60));
    this.cached = {
      accessToken,
      issuedAt,
      refreshAt: issuedAt + refreshIn * 1000,
      expiresAt: issuedAt + lifetime * 1000,
    };
    return this.cached;
  }
}
