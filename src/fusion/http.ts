import {
  Agent,
  type Dispatcher,
  EnvHttpProxyAgent,
  ProxyAgent,
  request,
  errors as undiciErrors,
} from 'undici';
import { parseRetryAfter } from '../shared/retryAfter';
import { FusionError, kindForStatus, safeDetail } from './errors';

// The one HTTP seam to Fusion: a keep-alive undici Agent with timeouts, JSON parsed losslessly
// (amounts and 15-digit IDs keep every digit), failures turned into typed FusionErrors. Every
// answer is hostile until read: its size is bounded while it streams, a redirect is never
// followed, and the server's own words are cut short before they reach an error message.

export interface HttpOptions {
  requestTimeoutSeconds: number;
  connections?: number;
  /** An explicit proxy (config `fusion.proxy`): wins over HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  proxy?: FusionProxy;
}

/** An HTTP proxy for every Fusion call (token request included); the password is a resolved secret. */
export interface FusionProxy {
  url: string;
  username?: string;
  password?: string;
}

/**
 * The dispatcher for Fusion calls: through `options.proxy` when given, else through the proxy the
 * environment names (HTTPS_PROXY / HTTP_PROXY, NO_PROXY bypassing it; undici's EnvHttpProxyAgent),
 * else direct. Through a proxy every request is a CONNECT tunnel, plain http too: the proxy sees
 * the target's host and port and its own Proxy-Authorization, never a Fusion credential.
 */
export function createFusionAgent(options: HttpOptions): Dispatcher {
  const agentOptions = {
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: options.connections ?? 8,
    connectTimeout: 15_000,
    headersTimeout: options.requestTimeoutSeconds * 1000,
    bodyTimeout: options.requestTimeoutSeconds * 1000,
  };
  const { proxy } = options;
  if (proxy) {
    const agent = new ProxyAgent({
      ...agentOptions,
      uri: proxy.url,
      proxyTunnel: true,
      ...(proxy.username !== undefined
        ? { token: `Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64')}` }
        : {}),
    });
    proxyNames.set(agent, () => `proxy ${proxyOrigin(proxy.url)} (fusion.proxy)`);
    explicitProxies.add(agent);
    return agent;
  }
  if (ENV_PROXY_VARIABLES.some((name) => process.env[name])) {
    const agent = new EnvHttpProxyAgent({ ...agentOptions, proxyTunnel: true });
    proxyNames.set(agent, envProxyNamer(process.env));
    return agent;
  }
  return new Agent(agentOptions);
}

const ENV_PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'] as const;

/** How a dispatcher's proxy is named in an error: origin only, never a user or password. */
const proxyNames = new WeakMap<Dispatcher, (url: string) => string>();
const explicitProxies = new WeakSet<Dispatcher>();

function proxyOrigin(url: string): string {
  try {
    const u = new URL(url.includes('://') ? url : `http://${url}`);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'with an unreadable URL';
  }
}

/**
 * Names the proxy EnvHttpProxyAgent takes for a URL, as the environment was when it was built
 * (lower case wins; http_proxy serves https too when no https_proxy is set).
 */
function envProxyNamer(env: NodeJS.ProcessEnv): (url: string) => string {
  const set = ENV_PROXY_VARIABLES.filter((n) => env[n]).map((n) => [n, env[n] ?? ''] as const);
  return (url) => {
    const https = url.startsWith('https:');
    const found = set.find(([n]) => https || n.toLowerCase() === 'http_proxy');
    return found ? `proxy ${proxyOrigin(found[1])} (from ${found[0]})` : 'proxy (from the environment)';
  };
}

/** undici's words for a proxy that answered CONNECT with something other than 200. */
const TUNNEL_REFUSED = /^Proxy response \((\d{3})\) !== 200/;

/** A FusionError naming the proxy (never its password) when the proxy refused the tunnel. */
function proxyRefusal(
  err: unknown,
  dispatcher: Dispatcher,
  url: string,
  describe: string,
): FusionError | null {
  const name = proxyNames.get(dispatcher);
  const m = err instanceof Error ? TUNNEL_REFUSED.exec(err.message) : null;
  if (!name || !m) return null;
  const status = Number(m[1]);
  const what =
    status === 407
      ? 'HTTP 407, proxy authentication required or refused (check the proxy user and password)'
      : `HTTP ${status}`;
  return new FusionError(
    status === 407 ? 'auth' : kindForStatus(status),
    `${describe}: the ${name(url)} refused the tunnel: ${what}`,
    status,
    undefined,
    { cause: err },
  );
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

/** A JSON number, exactly as the grammar has it (no leading zeros, digits after a point). */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A character that can be part of a number token: 0-9 . e E + - */
const inNumber = (c: number) =>
  (c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45;

/**
 * Lossless JSON: every number stays a numeric string until a mapper decides its type. Numbers
 * outside strings are quoted in the text and the result goes through the native JSON.parse, which
 * validates the rest: a parser written in JavaScript (lossless-json) held ~200 MB of heap for one
 * 10 MB page, and a regular expression with a callback for every string took twice this scan,
 * which jumps from quote to quote with indexOf (most of a page is strings). Text that is not JSON
 * is rejected with a SyntaxError: a malformed number here, an unterminated string and the rest by
 * JSON.parse.
 */
export function parseLosslessJson(text: string): unknown {
  let quoted = '';
  let copied = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: it ends at the first quote after an even run of backslashes.
      const open = i;
      let close = text.indexOf('"', open + 1);
      for (;;) {
        if (close < 0) return JSON.parse(text);
        let backslashes = 0;
        while (close - 1 - backslashes > open && text.charCodeAt(close - 1 - backslashes) === 92)
          backslashes++;
        if (backslashes % 2 === 0) break;
        close = text.indexOf('"', close + 1);
      }
      i = close + 1;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      let end = i + 1;
      while (end < n && inNumber(text.charCodeAt(end))) end++;
      const token = text.slice(i, end);
      if (!JSON_NUMBER.test(token)) throw new SyntaxError(`Malformed number in JSON at position ${i}`);
      quoted += `${text.slice(copied, i)}"${token}"`;
      copied = end;
      i = end;
    } else {
      i++;
    }
  }
  return JSON.parse(copied === 0 ? text : quoted + text.slice(copied));
}

export interface RequestBounds {
  /** A longer body is an error, and the connection is dropped before the rest arrives. */
  maxResponseBytes: number;
  /** Retry-After above this is read as this. */
  maxRetryAfterSeconds: number;
  /** Values that must never appear in an error message (the client secret, the header sent). */
  secrets?: readonly string[];
}

/**
 * Of an error answer (status ≥ 300) only this much is read: enough for a v4 JSON body with many
 * o:errorDetails to parse, and we only show its first words.
 */
const ERROR_BODY_BYTES = 256 * 1024;

export async function sendRequest(
  dispatcher: Dispatcher,
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  describe: string,
  bounds: RequestBounds,
): Promise<JsonResponse> {
  let response: Dispatcher.ResponseData;
  try {
    // undici's request() never follows a redirect (no redirect interceptor on this dispatcher):
    // a 3xx comes back as it is and is turned into an error below.
    response = await request(url, { ...init, dispatcher });
  } catch (err) {
    const refused = proxyRefusal(err, dispatcher, url, describe);
    if (refused) throw refused;
    const timeout =
      err instanceof undiciErrors.HeadersTimeoutError ||
      err instanceof undiciErrors.BodyTimeoutError ||
      err instanceof undiciErrors.ConnectTimeoutError;
    // An explicit proxy carries every call, so it is part of the story; the environment's may not.
    const via = explicitProxies.has(dispatcher) ? ` through the ${proxyNames.get(dispatcher)?.(url)}` : '';
    throw new FusionError(
      'unavailable',
      `${describe}: ${timeout ? 'timed out' : `network error (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`}${via}`,
      undefined,
      undefined,
      { cause: err },
    );
  }
  const status = response.statusCode;
  const secrets = bounds.secrets ?? [];
  if (status >= 300) {
    const text = await readText(response, ERROR_BODY_BYTES, describe, false);
    if (status < 400) {
      throw new FusionError(
        'bad-response',
        `${describe}: HTTP ${status} redirect${redirectTarget(response.headers.location, url)} (not followed)`,
        status,
      );
    }
    throw new FusionError(
      kindForStatus(status),
      `${describe}: HTTP ${status}${errorDetail(text, secrets)}`,
      status,
      parseRetryAfter(response.headers['retry-after'], bounds.maxRetryAfterSeconds),
    );
  }
  const text = await readText(response, bounds.maxResponseBytes, describe, true);
  try {
    return { status, body: parseLosslessJson(text) };
  } catch {
    throw new FusionError('bad-response', `${describe}: response is not JSON (HTTP ${status})`);
  }
}

const TOO_LARGE = '(fusion.limits.maxResponseBytes)';

/** A response refused for its size: a smaller page of the same query may fit. */
export function isResponseTooLarge(err: unknown): boolean {
  return err instanceof FusionError && err.kind === 'bad-response' && err.message.endsWith(TOO_LARGE);
}

/**
 * The body as text, at most `limit` bytes: a declared or streamed excess aborts the connection
 * (nothing more is read). `strict`: an excess is an error; otherwise the text is cut at the limit.
 */
async function readText(
  response: Dispatcher.ResponseData,
  limit: number,
  describe: string,
  strict: boolean,
): Promise<string> {
  const tooLarge = () => {
    response.body.destroy();
    return new FusionError(
      'bad-response',
      `${describe}: the response is larger than the limit of ${limit} bytes ${TOO_LARGE}`,
      response.statusCode,
      undefined,
      { permanent: true },
    );
  };
  const declared = Number(response.headers['content-length']);
  if (strict && Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      const buf = chunk as Buffer;
      if (size + buf.length > limit) {
        if (strict) throw tooLarge();
        chunks.push(buf.subarray(0, limit - size));
        response.body.destroy();
        break;
      }
      chunks.push(buf);
      size += buf.length;
    }
  } catch (err) {
    if (err instanceof FusionError) throw err;
    throw new FusionError(
      'unavailable',
      `${describe}: connection lost while reading the response`,
      undefined,
      undefined,
      { cause: err },
    );
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** " to <host>" of a Location header, resolved against the request URL; never its path or query. */
function redirectTarget(location: string | string[] | undefined, url: string): string {
  const text = Array.isArray(location) ? location[0] : location;
  if (!text) return ' without a Location';
  try {
    return ` to ${new URL(text, url).host}`;
  } catch {
    return ' to an unreadable Location';
  }
}

/** A short, safe excerpt of an error body: v4 JSON details, an OAuth error code, or plain text. */
function errorDetail(text: string, secrets: readonly string[]): string {
  if (!text.trim()) return '';
  let detail: string | undefined;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const details = body['o:errorDetails'];
    if (Array.isArray(details) && details.length) {
      detail = details.map((d) => String((d as Record<string, unknown> | null)?.detail)).join('; ');
    } else if (typeof body.error === 'string') {
      detail = body.error;
    }
  } catch {
    // plain text or HTML (or JSON cut at the read limit)
  }
  return ` (${safeDetail(detail ?? text, secrets)})`;
}
