import { Agent, type Dispatcher, request, errors as undiciErrors } from 'undici';
import { FusionError, kindForStatus, parseRetryAfter } from './errors';

// The one HTTP seam to Fusion: a keep-alive undici Agent with timeouts, JSON parsed losslessly
// (amounts and 15-digit IDs keep every digit), failures turned into typed FusionErrors.

export interface HttpOptions {
  requestTimeoutSeconds: number;
  connections?: number;
}

export function createFusionAgent(options: HttpOptions): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: options.connections ?? 8,
    connectTimeout: 15_000,
    headersTimeout: options.requestTimeoutSeconds * 1000,
    bodyTimeout: options.requestTimeoutSeconds * 1000,
  });
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

// A JSON string (skipped as it is) or a JSON number outside strings (captured).
const NUMBER_OUTSIDE_STRINGS = /"[^"\\]*(?:\\.[^"\\]*)*"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/**
 * Lossless JSON: every number stays a numeric string until a mapper decides its type. Numbers are
 * quoted in the text and the result goes through the native JSON.parse, which validates it: a
 * parser written in JavaScript (lossless-json) held ~200 MB of heap for one 10 MB page.
 */
export function parseLosslessJson(text: string): unknown {
  return JSON.parse(
    text.replace(NUMBER_OUTSIDE_STRINGS, (match, num: string | undefined) => (num ? `"${num}"` : match)),
  );
}

export async function sendRequest(
  dispatcher: Dispatcher,
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  describe: string,
): Promise<JsonResponse> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, { ...init, dispatcher });
  } catch (err) {
    const timeout =
      err instanceof undiciErrors.HeadersTimeoutError ||
      err instanceof undiciErrors.BodyTimeoutError ||
      err instanceof undiciErrors.ConnectTimeoutError;
    throw new FusionError(
      'unavailable',
      `${describe}: ${timeout ? 'timed out' : `network error (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`}`,
      undefined,
      undefined,
      { cause: err },
    );
  }
  let text: string;
  try {
    text = await response.body.text();
  } catch (err) {
    throw new FusionError(
      'unavailable',
      `${describe}: connection lost while reading the response`,
      undefined,
      undefined,
      {
        cause: err,
      },
    );
  }
  if (response.statusCode >= 400) {
    const kind = kindForStatus(response.statusCode);
    throw new FusionError(
      kind,
      `${describe}: HTTP ${response.statusCode}${errorDetail(text)}`,
      response.statusCode,
      parseRetryAfter(response.headers['retry-after']),
    );
  }
  try {
    return { status: response.statusCode, body: parseLosslessJson(text) };
  } catch {
    throw new FusionError('bad-response', `${describe}: response is not JSON (HTTP ${response.statusCode})`);
  }
}

/** A short, safe excerpt of an error body: v4 JSON details, an OAuth error code, or plain text. */
function errorDetail(text: string): string {
  if (!text) return '';
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const details = body['o:errorDetails'];
    if (Array.isArray(details) && details.length) {
      return ` (${details.map((d) => (d as Record<string, unknown>).detail).join('; ')})`;
    }
    if (typeof body.error === 'string') return ` (${body.error})`;
  } catch {
    // plain text or HTML
  }
  return ` (${text.replace(/\s+/g, ' ').slice(0, 200)})`;
}
