import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

// Who may read the audit page. On loopback it is open unless credentials are configured; bound
// to any other address it refuses to start without them. Credentials come from the environment
// only (never argv, never a query string, never shown or logged):
//   ML_CONNECTOR_UI_TOKEN                          a bearer token (also accepted as the password
//                                                  of HTTP Basic, any user name: what a browser sends)
//   ML_CONNECTOR_UI_USER, ML_CONNECTOR_UI_PASSWORD  an HTTP Basic login

export class UiAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UiAuthError';
  }
}

export interface UiAuth {
  token: string | null;
  basic: { user: string; password: string } | null;
}

/** The shortest token or password accepted: a guessable one is no protection. */
export const MIN_SECRET_LENGTH = 16;

export function readUiAuth(env: NodeJS.ProcessEnv): UiAuth {
  const token = env.ML_CONNECTOR_UI_TOKEN || null;
  const user = env.ML_CONNECTOR_UI_USER || null;
  const password = env.ML_CONNECTOR_UI_PASSWORD || null;
  if (token !== null && token.length < MIN_SECRET_LENGTH) {
    throw new UiAuthError(`ML_CONNECTOR_UI_TOKEN is shorter than ${MIN_SECRET_LENGTH} characters.`);
  }
  if ((user === null) !== (password === null)) {
    throw new UiAuthError(
      'ML_CONNECTOR_UI_USER and ML_CONNECTOR_UI_PASSWORD are set together or not at all.',
    );
  }
  if (user?.includes(':')) throw new UiAuthError('ML_CONNECTOR_UI_USER may not contain ":".');
  if (password !== null && password.length < MIN_SECRET_LENGTH) {
    throw new UiAuthError(`ML_CONNECTOR_UI_PASSWORD is shorter than ${MIN_SECRET_LENGTH} characters.`);
  }
  return { token, basic: user !== null && password !== null ? { user, password } : null };
}

export function hasCredentials(auth: UiAuth): boolean {
  return auth.token !== null || auth.basic !== null;
}

/** A loopback address (127.0.0.0/8, ::1) or `localhost`: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:') && isIP(h.slice(7)) === 4) return h.slice(7).startsWith('127.');
  return false;
}

/** Refuses a bind the page could be reached through from elsewhere without credentials. */
export function checkBind(host: string, auth: UiAuth): void {
  if (!isLoopback(host) && !hasCredentials(auth)) {
    throw new UiAuthError(
      `Refusing to serve the audit page on ${host} (not loopback) without credentials: set ML_CONNECTOR_UI_TOKEN, ` +
        'or ML_CONNECTOR_UI_USER and ML_CONNECTOR_UI_PASSWORD.',
    );
  }
}

/** Compares by digest, in constant time: neither content nor length leaks through timing. */
function same(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Whether a request's Authorization header is allowed in. */
export function authorized(header: string | undefined, auth: UiAuth): boolean {
  if (!hasCredentials(auth)) return true;
  if (!header) return false;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  const kind = scheme?.toLowerCase();
  if (kind === 'bearer') return auth.token !== null && same(value, auth.token);
  if (kind !== 'basic') return false;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  // Evaluate both, so which one matched does not show in the time taken.
  const byToken = auth.token !== null && same(password, auth.token);
  const userMatches = auth.basic !== null && same(user, auth.basic.user);
  const passwordMatches = auth.basic !== null && same(password, auth.basic.password);
  return byToken || (userMatches && passwordMatches);
}
