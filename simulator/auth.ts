import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError, readBody } from './http';

// The identity domain's client-credentials token endpoint (reference §1.1) and the check of
// the Authorization header on fscmRestApi resources: Bearer tokens, or Basic for a Fusion user
// (§1.2). 401 bodies are empty, with a WWW-Authenticate challenge (§1.3).

export interface BasicUser {
  username: string;
  password: string;
}

export interface TokenRateLimit {
  /** Token requests allowed per window (the identity domain's "Token Mgmt" group). */
  limit: number;
  windowMs: number;
  /** Retry-After seconds on the 429; omitted when undefined. */
  retryAfterSeconds?: number;
}

export interface AuthSettings {
  clientId: string;
  clientSecret: string;
  scope: string;
  tokenTtlSeconds: number;
  now: () => number;
  basicAuth?: BasicUser;
  tokenRateLimit?: TokenRateLimit;
}

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function oauthError(status: number, error: string, description: string, headers = {}): HttpError {
  return new HttpError(status, error, headers, { error, error_description: description });
}

function decodeBasic(header: string): [string, string] | null {
  const [scheme, encoded = ''] = header.split(' ');
  if (scheme !== 'Basic') return null;
  const [user = '', ...rest] = Buffer.from(encoded, 'base64').toString().split(':');
  return [user, rest.join(':')];
}

/** Where the endpoint counts tokens issued and 429s sent (the simulator's stats). */
export interface AuthCounters {
  tokensIssued: number;
  faults: Record<string, number>;
}

export class Auth {
  private readonly tokens = new Map<string, number>();
  private readonly recentTokenRequests: number[] = [];

  constructor(
    private readonly settings: AuthSettings,
    private readonly counters: AuthCounters,
  ) {}

  /** POST /oauth2/v1/token. RFC 6749 errors: 401 invalid_client when Basic was tried, else 400. */
  async token(req: IncomingMessage): Promise<IssuedToken> {
    if (req.method !== 'POST') throw new HttpError(405, 'POST only');
    this.checkRateLimit();
    const body = await readBody(req);
    const basic = decodeBasic(req.headers.authorization ?? '');
    const isForm = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const form = new URLSearchParams(isForm ? body : '');
    const { clientId, clientSecret } = this.settings;
    if (basic) {
      if (!same(basic[0], clientId) || !same(basic[1], clientSecret))
        throw oauthError(401, 'invalid_client', 'Client authentication failed.', {
          'www-authenticate': 'Basic realm="identity"',
        });
    } else {
      // Client credentials as form fields: seen in some clients, unverified [I]; no Basic → 400.
      const id = form.get('client_id');
      const secret = form.get('client_secret');
      if (id === null || secret === null || !same(id, clientId) || !same(secret, clientSecret))
        throw oauthError(400, 'invalid_client', 'Client authentication failed.');
    }
    if (!isForm) {
      throw oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.');
    }
    if (form.get('grant_type') !== 'client_credentials') {
      throw oauthError(400, 'unsupported_grant_type', 'Only client_credentials is allowed for this client.');
    }
    if (form.get('scope') !== this.settings.scope) {
      throw oauthError(400, 'invalid_scope', 'The requested scope is invalid, unknown, or malformed.');
    }
    const token = `eyJ${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    this.tokens.set(token, this.settings.now() + this.settings.tokenTtlSeconds * 1000);
    this.counters.tokensIssued++;
    return { access_token: token, token_type: 'Bearer', expires_in: this.settings.tokenTtlSeconds };
  }

  /** A sliding window on wall-clock time (not the simulated clock, which tests may freeze). */
  private checkRateLimit(): void {
    const limit = this.settings.tokenRateLimit;
    if (!limit) return;
    const now = Date.now();
    while (this.recentTokenRequests.length && this.recentTokenRequests[0]! <= now - limit.windowMs)
      this.recentTokenRequests.shift();
    if (this.recentTokenRequests.length >= limit.limit) {
      this.counters.faults.tokenRateLimit = (this.counters.faults.tokenRateLimit ?? 0) + 1;
      throw oauthError(
        429,
        'too_many_requests',
        'Rate limit exceeded.',
        limit.retryAfterSeconds === undefined ? {} : { 'retry-after': String(limit.retryAfterSeconds) },
      );
    }
    this.recentTokenRequests.push(now);
  }

  /** Accepts a live Bearer token or, when configured, the Basic user; otherwise 401. */
  authorize(req: IncomingMessage): { bearer?: string } {
    const header = req.headers.authorization ?? '';
    const basic = decodeBasic(header);
    if (basic) {
      const user = this.settings.basicAuth;
      if (user && same(basic[0], user.username) && same(basic[1], user.password)) return {};
      throw new HttpError(401, 'Unauthorized', { 'www-authenticate': 'Basic realm="fusion"' });
    }
    const [scheme, token = ''] = header.split(' ');
    const expiresAt = scheme === 'Bearer' ? this.tokens.get(token) : undefined;
    if (expiresAt === undefined || expiresAt <= this.settings.now()) {
      throw new HttpError(401, 'Unauthorized', { 'www-authenticate': 'Bearer' });
    }
    return { bearer: token };
  }

  /** Drops one token, or all: the next REST call with it answers 401. */
  revoke(token?: string): void {
    if (token === undefined) this.tokens.clear();
    else this.tokens.delete(token);
  }

  /** The 401 a revoked credential gets, in the scheme the request used. */
  static challenge(bearer: string | undefined): HttpError {
    return new HttpError(401, 'Unauthorized', {
      'www-authenticate': bearer === undefined ? 'Basic realm="fusion"' : 'Bearer',
    });
  }
}
