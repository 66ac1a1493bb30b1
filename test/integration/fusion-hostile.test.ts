import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../src/activities/failures';
import {
  connectFusion,
  DEFAULT_FUSION_LIMITS,
  type FusionConnectionSettings,
  FusionError,
  readChanges,
} from '../../src/fusion';
import {
  HostileServer,
  json,
  offsetOf,
  row,
  streamLargeBody,
  TOKEN,
  tokenRoute,
} from '../support/hostileFusion';

// The Fusion client against answers a broken or hostile server might give, over real HTTP on
// 127.0.0.1: every one must end quickly in a clear error, with bounded requests and memory, and
// no credential may leave for another origin.

const BASE = '/fscmRestApi/resources/11.13.18.05';
const CLIENT_ID = 'hostile-client';
const SECRET = 'hostile-client-secret-77e2';
const BASIC = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64');
const Q = { q: "InvoiceNum='CONFIDENTIAL-42'" };
const MiB = 1024 * 1024;

async function failure(work: () => Promise<unknown>): Promise<FusionError> {
  try {
    await work();
  } catch (err) {
    assert.ok(err instanceof FusionError, `expected a FusionError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a FusionError');
}

async function drain<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('Fusion client against hostile answers', { timeout: 120_000 }, () => {
  const fusion = new HostileServer();
  const other = new HostileServer(); // another origin: 127.0.0.1, another port
  const open: { close(): Promise<void> }[] = [];

  const connect = (overrides: Partial<FusionConnectionSettings> = {}) => {
    const c = connectFusion({
      baseUrl: `${fusion.url}${BASE}`,
      auth: {
        type: 'oauth',
        tokenUrl: `${fusion.url}/oauth2/v1/token`,
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        scope: 'urn:test',
        tokenRefreshSeconds: 3300,
      },
      pageSize: 25,
      frameworkVersion: 4,
      requestTimeoutSeconds: 10,
      ...overrides,
    });
    open.push(c);
    return c;
  };
  const url = (name: string) => `${fusion.url}${BASE}/${name}`;

  before(async () => {
    fusion.route('/oauth2/v1/token', tokenRoute);
    other.route('/steal', (_req, res) => json(res, 200, { items: [], hasMore: false }));
    await fusion.listen();
    await other.listen();
  });
  beforeEach(() => {
    fusion.received.length = 0;
    other.received.length = 0;
  });
  after(async () => {
    for (const c of open) await c.close();
    await fusion.close();
    await other.close();
  });

  it('exposes its limits: the defaults, with configured overrides', () => {
    assert.deepEqual(connect().client.limits, DEFAULT_FUSION_LIMITS);
    assert.deepEqual(DEFAULT_FUSION_LIMITS, {
      maxResponseBytes: 64 * MiB,
      maxPagesPerCollection: 10_000,
      maxPagesPerWindow: 100_000,
      maxRowsPerDocument: 100_000,
      maxRetryAfterSeconds: 900,
      maxParallelPages: 8,
    });
    const limits = connect({ limits: { maxPagesPerCollection: 7, maxRetryAfterSeconds: undefined } }).client
      .limits;
    assert.equal(limits.maxPagesPerCollection, 7);
    assert.equal(limits.maxRetryAfterSeconds, 900);
  });

  describe('paging', () => {
    it('a page repeated at every offset with hasMore=true: an error on the second page', async () => {
      fusion.route(`${BASE}/endless`, (_req, res) =>
        json(res, 200, { items: [row(1), row(2)], count: 2, hasMore: true, limit: 25, offset: 0 }),
      );
      const { client } = connect();
      const started = Date.now();
      const err = await failure(() => drain(client.pages(url('endless'), Q)));
      assert.equal(fusion.count(`${BASE}/endless`), 2);
      assert.ok(Date.now() - started < 5000);
      assert.equal(err.kind, 'bad-response');
      assert.equal(err.permanent, true);
      assert.equal(err.retryable, false);
      assert.match(
        err.message,
        /endless\?q,limit,offset: the page at offset 2 starts with the same row as an earlier page/,
      );
      assert.doesNotMatch(err.message, /CONFIDENTIAL/);
    });

    it('pages that cycle (A, B, A, …): an error when a first row comes back', async () => {
      fusion.route(`${BASE}/cycle`, (_req, res, u) => {
        const a = Math.floor(offsetOf(u) / 2) % 2 === 0;
        json(res, 200, { items: a ? [row(1), row(2)] : [row(3), row(4)], count: 2, hasMore: true });
      });
      const err = await failure(() => drain(connect().client.pages(url('cycle'), {})));
      assert.equal(fusion.count(`${BASE}/cycle`), 3);
      assert.match(err.message, /same row as an earlier page/);
    });

    it('new rows with hasMore=true for ever: stops at maxPagesPerCollection and says so', async () => {
      fusion.route(`${BASE}/forever`, (_req, res, u) => {
        const from = offsetOf(u);
        json(res, 200, { items: [row(from + 1), row(from + 2)], count: 2, hasMore: true });
      });
      const { client } = connect({ limits: { maxPagesPerCollection: 40 } });
      const err = await failure(() => drain(client.pages(url('forever'), Q)));
      assert.equal(fusion.count(`${BASE}/forever`), 40);
      assert.equal(err.permanent, true);
      assert.match(
        err.message,
        /\/forever\?q,limit,offset: still more rows after 40 pages \(fusion\.limits\.maxPagesPerCollection\)/,
      );
      assert.doesNotMatch(err.message, /CONFIDENTIAL/);
    });

    it('maxRows: more rows than allowed across the pages of one call is an error', async () => {
      const { client } = connect();
      const err = await failure(() => drain(client.pages(url('forever'), {}, 0, 25, { maxRows: 9 })));
      assert.equal(fusion.count(`${BASE}/forever`), 5); // 10 rows > 9 on the fifth page
      assert.match(err.message, /more than 9 rows/);
      // Exactly at the bound is fine.
      fusion.route(`${BASE}/ten`, (_req, res, u) => {
        const from = offsetOf(u);
        json(res, 200, { items: [row(from + 1), row(from + 2)], count: 2, hasMore: from + 2 < 10 });
      });
      assert.equal((await drain(client.pages(url('ten'), {}, 0, 25, { maxRows: 10 }))).length, 5);
    });

    it('an empty page that claims more ends the collection (the reference rule), without asking again', async () => {
      fusion.route(`${BASE}/empty-more`, (_req, res, u) =>
        json(res, 200, { items: offsetOf(u) === 0 ? [row(1)] : [], count: 0, hasMore: true }),
      );
      const pages = await drain(connect().client.pages(url('empty-more'), {}));
      assert.deepEqual(
        pages.map((p) => p.items.length),
        [1, 0],
      );
      assert.equal(fusion.count(`${BASE}/empty-more`), 2);
    });

    it('a child collection with hasMore=true for ever, read by readChanges: bounded, that document quarantined', async () => {
      fusion.route(`${BASE}/invoices`, (_req, res) =>
        json(res, 200, {
          items: [
            {
              InvoiceId: 1,
              LastUpdateDate: '2026-01-01T00:00:00+00:00',
              links: [
                { rel: 'child', name: 'invoiceLines', href: url('forever') },
                { rel: 'child', name: 'invoiceInstallments', href: url('forever') },
              ],
            },
          ],
          count: 1,
          hasMore: false,
        }),
      );
      const { client } = connect({ limits: { maxPagesPerCollection: 30 } });
      const window = { from: '2025-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
      const pages = await drain(
        readChanges(client, 'invoices', window, { expand: false, childChangeFilter: false }),
      );
      const extracted = pages.flat();
      assert.equal(extracted.length, 1);
      const [invoice] = extracted;
      // The document could not be read whole: held with the bound's reason, never mapped partially.
      assert.ok(invoice && !invoice.ok, 'quarantined');
      assert.equal(invoice.recordId, '1');
      assert.match(
        invoice.error.reason,
        /still more rows after 30 pages \(fusion\.limits\.maxPagesPerCollection\)/,
      );
      assert.ok(fusion.count(`${BASE}/forever`) <= 30, `${fusion.count(`${BASE}/forever`)} child pages`);
    });
  });

  describe('response size', () => {
    it('a 300 MB body with Content-Length: refused before it is read', async () => {
      fusion.route(`${BASE}/huge`, streamLargeBody(fusion, 300 * MiB, true));
      const started = Date.now();
      const err = await failure(() => connect().client.getJson(`${url('huge')}?q=secret`));
      assert.equal(err.kind, 'bad-response');
      assert.equal(err.permanent, true);
      assert.equal(
        err.message,
        `GET ${BASE}/huge?q: the response is larger than the limit of ${64 * MiB} bytes (fusion.limits.maxResponseBytes)`,
      );
      await waitFor(() => fusion.stream.aborted);
      assert.ok(fusion.stream.written < 32 * MiB, `${fusion.stream.written} bytes were written`);
      assert.ok(Date.now() - started < 10_000);
    });

    it('a 300 MB body without Content-Length: the connection is dropped at the limit', async () => {
      fusion.route(`${BASE}/huge-chunked`, streamLargeBody(fusion, 300 * MiB, false));
      const heapBefore = process.memoryUsage().heapUsed;
      const err = await failure(() =>
        connect({ limits: { maxResponseBytes: 4 * MiB } }).client.getJson(url('huge-chunked')),
      );
      assert.match(err.message, /larger than the limit of 4194304 bytes/);
      await waitFor(() => fusion.stream.aborted);
      assert.ok(fusion.stream.written < 64 * MiB, `${fusion.stream.written} bytes were written`);
      assert.ok(process.memoryUsage().heapUsed - heapBefore < 100 * MiB);
    });

    it('a body within the limit is read as before', async () => {
      fusion.route(`${BASE}/small`, (_req, res) => json(res, 200, { items: [row(1)], hasMore: false }));
      const body = (await connect({ limits: { maxResponseBytes: 64 * 1024 } }).client.getJson(
        url('small'),
      )) as {
        items: unknown[];
      };
      assert.equal(body.items.length, 1);
    });
  });

  describe('Retry-After', () => {
    it('99999999 seconds is read as 15 minutes, and Temporal is asked for no more', async () => {
      fusion.route(`${BASE}/throttled`, (_req, res) =>
        json(res, 429, { title: 'Too Many Requests' }, { 'retry-after': '99999999' }),
      );
      const started = Date.now();
      const err = await failure(() => connect().client.getJson(url('throttled')));
      assert.ok(Date.now() - started < 5000, 'not waited in the call');
      assert.equal(fusion.count(`${BASE}/throttled`), 1);
      assert.equal(err.kind, 'throttled');
      assert.equal(err.retryAfterSeconds, 900);
      const handed = toApplicationFailure(err) as ApplicationFailure;
      assert.equal(handed.nextRetryDelay, '900s');
      assert.equal(handed.nonRetryable, false);
    });

    it('a configured bound, and an HTTP date years ahead, are clamped the same way', async () => {
      fusion.route(`${BASE}/throttled-date`, (_req, res) =>
        json(res, 503, {}, { 'retry-after': 'Fri, 31 Dec 2094 23:59:59 GMT' }),
      );
      const err = await failure(() =>
        connect({ limits: { maxRetryAfterSeconds: 120 } }).client.getJson(url('throttled-date')),
      );
      assert.equal(err.kind, 'unavailable');
      assert.equal(err.retryAfterSeconds, 120);
    });

    it('the token endpoint is clamped too', async () => {
      const token = new HostileServer().route('/token', (_req, res) =>
        json(res, 429, { error: 'slow_down' }, { 'retry-after': '99999999' }),
      );
      await token.listen();
      try {
        const c = connect({
          auth: {
            type: 'oauth',
            tokenUrl: `${token.url}/token`,
            clientId: CLIENT_ID,
            clientSecret: SECRET,
            scope: 'urn:test',
            tokenRefreshSeconds: 3300,
          },
        });
        const err = await failure(() => c.auth.warm());
        assert.equal(err.retryAfterSeconds, 900);
        assert.equal(token.count('/token'), 1);
      } finally {
        await token.close();
      }
    });
  });

  describe('credentials stay on their origin', () => {
    it('a link to another host:port is refused, and that host receives no request at all', async () => {
      const { client } = connect();
      const foreign = `${other.url}/steal?q=x`;
      const err = await failure(() => client.getJson(foreign));
      assert.equal(err.permanent, true);
      assert.match(err.message, new RegExp(`^GET http://${other.url.slice(7)}/steal\\?q: not sent`));
      const paged = await failure(() => drain(client.pages(`${other.url}/steal`, {})));
      assert.match(paged.message, /leaves the Fusion base URL's origin/);
      // A different scheme on the same host and port is another origin as well.
      await failure(() => client.getJson(`${fusion.url.replace('http:', 'https:')}${BASE}/x`));
      assert.equal(other.received.length, 0);
    });

    it('child links of a document that point elsewhere: no request, no Authorization header sent', async () => {
      fusion.route(`${BASE}/invoices`, (_req, res) =>
        json(res, 200, {
          items: [
            {
              InvoiceId: 2,
              LastUpdateDate: '2026-01-01T00:00:00+00:00',
              links: [
                { rel: 'child', name: 'invoiceLines', href: `${other.url}/steal` },
                { rel: 'child', name: 'invoiceInstallments', href: `${other.url}/steal` },
              ],
            },
          ],
          count: 1,
          hasMore: false,
        }),
      );
      const window = { from: '2025-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
      const err = await failure(() =>
        drain(readChanges(connect().client, 'invoices', window, { expand: false, childChangeFilter: false })),
      );
      assert.match(err.message, new RegExp(`${other.url.slice(7)}/steal\\?expand,limit,offset: not sent`));
      assert.equal(other.received.length, 0);
      // The Fusion server itself did get the bearer token (so the header is sent where it belongs).
      assert.ok(fusion.received.some((r) => r.authorization === `Bearer ${TOKEN}`));
    });

    it('a document without the child link it needs is quarantined; the rest of the page is read', async () => {
      const invoice = (id: number, links: unknown[]) => ({
        InvoiceId: id,
        InvoiceNumber: `INV-${id}`,
        LastUpdateDate: '2026-01-01T00:00:00+00:00',
        links,
      });
      const lines = `${fusion.url}${BASE}/invoices/2/child/invoiceLines`;
      fusion.route(`${BASE}/invoices/2/child/invoiceLines`, (_req, res) =>
        json(res, 200, { items: [], count: 0, hasMore: false }),
      );
      fusion.route(`${BASE}/invoices`, (_req, res) =>
        json(res, 200, {
          items: [invoice(1, []), invoice(2, [{ rel: 'child', name: 'invoiceLines', href: lines }])],
          count: 2,
          hasMore: false,
        }),
      );
      const window = { from: '2025-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
      const extracted = (
        await drain(
          readChanges(connect().client, 'invoices', window, {
            expand: false,
            childChangeFilter: false,
            children: [{ name: 'invoiceLines', children: [] }],
          }),
        )
      ).flat();
      const first = extracted.find((x) => !x.ok);
      assert.ok(first && !first.ok);
      assert.equal(first.recordId, '1');
      assert.match(first.error.reason, /Item has no child link "invoiceLines"/);
      assert.equal(extracted.length, 2, 'the second invoice was read too');
    });

    it('a 3xx is an error naming the Location host, and is not followed', async () => {
      fusion.route(`${BASE}/moved`, (_req, res) => {
        res.writeHead(302, { location: `${other.url}/steal?token=abc`, 'content-type': 'application/json' });
        res.end(JSON.stringify({ items: [row(1)], hasMore: false }));
      });
      const err = await failure(() => connect().client.getJson(url('moved')));
      assert.equal(err.kind, 'bad-response');
      assert.equal(err.status, 302);
      assert.equal(
        err.message,
        `GET ${BASE}/moved: HTTP 302 redirect to ${other.url.slice(7)} (not followed)`,
      );
      fusion.route(`${BASE}/not-modified`, (_req, res) => res.writeHead(304).end());
      assert.match((await failure(() => connect().client.getJson(url('not-modified')))).message, /HTTP 304/);
      const token = new HostileServer().route('/token', (_req, res) =>
        res.writeHead(307, { location: `${other.url}/steal` }).end(),
      );
      await token.listen();
      try {
        const c = connect({
          auth: {
            type: 'oauth',
            tokenUrl: `${token.url}/token`,
            clientId: CLIENT_ID,
            clientSecret: SECRET,
            scope: 'urn:test',
            tokenRefreshSeconds: 3300,
          },
        });
        assert.match((await failure(() => c.auth.warm())).message, /HTTP 307 redirect to/);
      } finally {
        await token.close();
      }
      assert.equal(other.received.length, 0);
    });
  });

  describe('error texts', () => {
    it('o:errorDetails and plain-text bodies are cut to 300 characters', async () => {
      const long = 'The attribute is not valid. '.repeat(400);
      fusion.route(`${BASE}/bad`, (_req, res) =>
        json(res, 400, { title: 'Bad Request', 'o:errorDetails': [{ detail: long }, { detail: long }] }),
      );
      fusion.route(`${BASE}/html`, (_req, res) => {
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end(`<html>\u0000\u001b[31m${'<p>error</p>\n'.repeat(50_000)}</html>`);
      });
      const bad = await failure(() => connect().client.getJson(url('bad')));
      assert.equal(bad.kind, 'bad-request');
      assert.ok(bad.message.startsWith(`GET ${BASE}/bad: HTTP 400 (The attribute is not valid.`));
      assert.ok(bad.message.length <= `GET ${BASE}/bad: HTTP 400 ()`.length + 301, `${bad.message.length}`);
      const html = await failure(() => connect().client.getJson(url('html')));
      assert.ok(html.message.length < 400, `${html.message.length}`);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting none are left
      assert.doesNotMatch(html.message, /[\u0000-\u001f]/);
    });

    it('a token endpoint that echoes the request: neither the secret nor the Authorization header appears', async () => {
      const token = new HostileServer().route('/token', (req, res) => {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end(`invalid client: Authorization: ${req.headers.authorization} secret=${SECRET}`);
      });
      await token.listen();
      try {
        const c = connect({
          auth: {
            type: 'oauth',
            tokenUrl: `${token.url}/token`,
            clientId: CLIENT_ID,
            clientSecret: SECRET,
            scope: 'urn:test',
            tokenRefreshSeconds: 3300,
          },
        });
        const err = await failure(() => c.auth.warm());
        assert.equal(err.kind, 'auth');
        assert.match(err.message, /HTTP 401 \(invalid client: Authorization: Basic \*\*\* secret=\*\*\*\)/);
        assert.ok(!err.message.includes(SECRET) && !err.message.includes(BASIC));
      } finally {
        await token.close();
      }
    });

    it('a Fusion error that echoes the bearer token does not repeat it', async () => {
      fusion.route(`${BASE}/echo`, (req, res) =>
        json(res, 400, { 'o:errorDetails': [{ detail: `header was ${req.headers.authorization}` }] }),
      );
      const err = await failure(() => connect().client.getJson(url('echo')));
      assert.ok(!err.message.includes(TOKEN), err.message);
      // Basic auth: neither the header, nor user:password, nor the password itself.
      fusion.route(`${BASE}/echo-basic`, (req, res) => {
        const decoded = Buffer.from(String(req.headers.authorization).slice(6), 'base64').toString();
        json(res, 401, {
          'o:errorDetails': [
            { detail: `${req.headers.authorization} ${decoded} pw=${decoded.split(':')[1]}` },
          ],
        });
      });
      const basic = connect({
        auth: { type: 'basic', username: 'integration.user', password: 'basic-pw-9931' },
      });
      const denied = await failure(() => basic.client.getJson(url('echo-basic')));
      assert.equal(denied.kind, 'auth');
      assert.ok(!/basic-pw-9931|aW50ZWdyYXRpb24/.test(denied.message), denied.message);
    });
  });
});

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) assert.fail('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
