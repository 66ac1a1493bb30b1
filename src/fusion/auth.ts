import type { Dispatcher } from 'undici';
import { TokenProvider, type TokenSettings } from './token';

// One seam for the Authorization header: OAuth client credentials (preferred) or Basic auth
// for a Fusion user. The client asks for a header, and hands it back when Fusion says 401.

export interface AuthProvider {
  /** The Authorization header value to send now. */
  header(): Promise<string>;
  /** Fusion answered 401 to this header: forget it if it can be renewed. Returns false when it cannot. */
  rejected(header: string): boolean;
  /** Obtains the credential now (fails early on bad client credentials); the token's expiry, if any. */
  warm(): Promise<{ expiresAt: number | null }>;
}

export class OAuthProvider implements AuthProvider {
  constructor(readonly tokens: TokenProvider) {}

  async header(): Promise<string> {
    return `Bearer ${(await this.tokens.get()).accessToken}`;
  }

  rejected(header: string): boolean {
    this.tokens.invalidate(header.replace(/^Bearer /, ''));
    return true;
  }

  async warm(): Promise<{ expiresAt: number | null }> {
    return { expiresAt: (await this.tokens.get()).expiresAt };
  }
}

export class BasicAuthProvider implements AuthProvider {
  private readonly value: string;

  constructor(username: string, password: string) {
    this.value = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  async header(): Promise<string> {
    return this.value;
  }

  rejected(): boolean {
    return false; // a password cannot be refreshed: a 401 is final
  }

  async warm(): Promise<{ expiresAt: number | null }> {
    return { expiresAt: null };
  }
}

export function oauthProvider(
  settings: TokenSettings,
  dispatcher: Dispatcher,
  now?: () => number,
): OAuthProvider {
  return new OAuthProvider(new TokenProvider(settings, dispatcher, now));
}
