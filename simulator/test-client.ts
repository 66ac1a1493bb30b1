import { isLosslessNumber, isSafeNumber, LosslessNumber, parse } from 'lossless-json';

// A minimal HTTP client for tests that talk to the simulator directly (contract tests). JSON is
// parsed with lossless-json: safe integers become numbers, every decimal stays a LosslessNumber
// (compare amounts with asText(value)), so no amount ever passes through a float.

const parseNumber = (text: string): number | LosslessNumber =>
  /^-?\d+$/.test(text) && isSafeNumber(text) ? Number(text) : new LosslessNumber(text);

export type Json = Record<string, unknown>;

export interface SimResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body; undefined when the body is not JSON. */
  json: Json | undefined;
}

export interface SimClientOptions {
  /** Authorization header value; default a Basic header for `basic`, else none. */
  authorization?: string;
  basic?: { username: string; password: string };
  frameworkVersion?: number;
}

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export class SimClient {
  readonly api: string;

  constructor(
    readonly origin: string,
    private readonly options: SimClientOptions = {},
  ) {
    this.api = `${origin}/fscmRestApi/resources/11.13.18.05`;
  }

  /** GET an API path (`/invoices`) or an absolute href from a link, with query parameters. */
  async get(
    pathOrHref: string,
    params: Record<string, string | number> = {},
    headers: Record<string, string> = {},
  ): Promise<SimResponse> {
    const url = new URL(pathOrHref.startsWith('http') ? pathOrHref : `${this.api}${pathOrHref}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
    const { authorization, basic, frameworkVersion } = this.options;
    const auth = authorization ?? (basic ? basicHeader(basic.username, basic.password) : undefined);
    const res = await fetch(url, {
      headers: {
        accept: 'application/json',
        ...(auth ? { authorization: auth } : {}),
        ...(frameworkVersion ? { 'rest-framework-version': String(frameworkVersion) } : {}),
        ...headers,
      },
    });
    return toResponse(res);
  }

  /** A /__sim/ control call. */
  async control(method: string, path: string, body?: unknown): Promise<SimResponse> {
    const res = await fetch(`${this.origin}/__sim/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return toResponse(res);
  }
}

async function toResponse(res: Response): Promise<SimResponse> {
  const text = await res.text();
  let json: Json | undefined;
  try {
    json = text ? (parse(text, null, parseNumber) as Json) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A JSON value as text: LosslessNumber and numbers alike (for exact amount comparisons). */
export function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return isLosslessNumber(value) ? value.toString() : String(value);
}

export function items(response: SimResponse): Json[] {
  return (response.json?.items ?? []) as Json[];
}

export function link(item: Json, rel: string, name?: string): string {
  const links = (item.links ?? []) as { rel: string; name: string; href: string }[];
  const found = links.find((l) => l.rel === rel && (name === undefined || l.name === name));
  if (!found) throw new Error(`no ${rel} link ${name ?? ''}`);
  return found.href;
}
