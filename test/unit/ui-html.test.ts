import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { authorized, checkBind, isLoopback, readUiAuth, UiAuthError } from '../../src/ui/auth';
import { parsePort, temporalUiUrl } from '../../src/ui/cli';
import { escapeHtml, Html, href, html } from '../../src/ui/html';
import { runLink } from '../../src/ui/pages';
import { BadRequest, fileIdOf, MAX_LIMIT, Params } from '../../src/ui/params';

// The audit page's building blocks: escaping, parameter checks, who may sign in.

const HOSTILE = `<script>alert("x")</script><img src=x onerror='y'>&amp;`;

describe('audit page: HTML escaping', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const page = html`<p title="${HOSTILE}">${HOSTILE}</p>`.text;
    assert.ok(!page.includes('<script>'), page);
    assert.ok(!page.includes('<img'), page);
    assert.equal(
      page,
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;&amp;amp;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;&amp;amp;</p>',
    );
  });

  it('keeps fragments built by html, escapes inside lists, and prints nothing for null', () => {
    const inner = html`<b>${'<i>'}</b>`;
    assert.equal(
      html`${inner}${[HOSTILE.slice(0, 8), inner]}${null}${undefined}${42}`.text,
      '<b>&lt;i&gt;</b>&lt;script&gt;<b>&lt;i&gt;</b>42',
    );
    assert.equal(escapeHtml(`a&b<c>"d"'e'`), 'a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;');
    // A string that looks like markup is still a string.
    assert.ok(!(('<b>' as unknown) instanceof Html));
  });

  it('builds links with encoded parameters, leaving out empty ones', () => {
    assert.equal(
      href('/search', { q: 'PO 1&2=3', kind: 'po', page: 2, limit: null, x: '' }),
      '/search?q=PO+1%262%3D3&kind=po&page=2',
    );
    assert.equal(href('/files'), '/files');
  });

  it('links a run to its workflow run in the Temporal Web UI, encoding the workflow ID', () => {
    const ctx = { temporal: { baseUrl: 'http://127.0.0.1:8233/', namespace: 'fin ops' } };
    const link = runLink(ctx, 'sync-po/"x"/6c5b0c53-53e5-4a47-9d3f-1f0c2d9b7a10/w3').text;
    assert.match(
      link,
      /href="http:\/\/127\.0\.0\.1:8233\/namespaces\/fin%20ops\/workflows\/sync-po%2F%22x%22\/6c5b0c53-53e5-4a47-9d3f-1f0c2d9b7a10\/history"/,
    );
    assert.match(link, />sync-po\/&quot;x&quot;<\/a> \(window 3\)/);
    // A key that names no workflow run is shown, not linked.
    assert.equal(runLink(ctx, '<not a key>').text, '<code>&lt;not a key&gt;</code>');
  });
});

describe('audit page: query parameters', () => {
  const params = (query: string, allowed: string[]) => new Params(new URLSearchParams(query), allowed);
  const refused = (run: () => unknown, message: RegExp) =>
    assert.throws(run, (err: unknown) => {
      assert.ok(err instanceof BadRequest, String(err));
      assert.match(err.message, message);
      return true;
    });

  it('refuses an unknown or repeated parameter, naming it', () => {
    refused(
      () => params('pgae=2', ['page', 'limit']),
      /Unknown parameter "pgae". This page takes: page, limit/,
    );
    refused(() => params('page=1&page=2', ['page']), /"page" is given more than once/);
    refused(() => params('x=1', []), /takes no parameters/);
  });

  it('bounds pages and limits', () => {
    assert.deepEqual(params('', ['page', 'limit']).page(), { page: 1, limit: 50, offset: 0 });
    assert.deepEqual(params('page=3&limit=20', ['page', 'limit']).page(), { page: 3, limit: 20, offset: 40 });
    for (const bad of [
      'page=0',
      'page=-1',
      'page=1.5',
      'page=abc',
      'page=10001',
      `limit=${MAX_LIMIT + 1}`,
      'limit=0',
      'page=1e3',
    ]) {
      refused(() => params(bad, ['page', 'limit']).page(), /must be a whole number from 1 to/);
    }
  });

  it('checks times, choices, integrations and search text', () => {
    assert.equal(params('from=2026-11-01', ['from']).instant('from'), '2026-11-01T00:00:00Z');
    refused(() => params('from=2026-02-30', ['from']).instant('from'), /"from" must be a date/);
    refused(() => params('from=yesterday', ['from']).instant('from'), /"from" must be a date/);
    assert.equal(params('kind=po', ['kind']).choice('kind', ['any', 'po'], 'any'), 'po');
    refused(() => params('kind=x', ['kind']).choice('kind', ['any', 'po'], 'any'), /one of: any, po/);
    assert.equal(params('integration=a', ['integration']).integration(new Set(['a'])), 'a');
    refused(
      () => params('integration=b', ['integration']).integration(new Set(['a'])),
      /names no known integration/,
    );
    assert.equal(params('q=%20PO-1%20', ['q']).search('q'), 'PO-1');
    assert.equal(params('q=', ['q']).search('q'), null);
    refused(() => params(`q=${'9'.repeat(201)}`, ['q']).search('q'), /longer than 200/);
    refused(() => params('q=a%00b', ['q']).search('q'), /control character/);
  });

  it('takes a file ID of digits only', () => {
    assert.equal(fileIdOf('42'), '42');
    for (const bad of ['0', '-1', '1.0', "1' OR 1=1", '9'.repeat(19), '']) assert.equal(fileIdOf(bad), null);
  });
});

describe('audit page: sign-in', () => {
  const token = 'a-token-of-enough-length-1234';
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it('treats 127.0.0.0/8, ::1 and localhost as loopback, anything else not', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])
      assert.ok(isLoopback(h), h);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.1', 'audit.example.com', '128.0.0.1'])
      assert.ok(!isLoopback(h), h);
  });

  it('refuses to bind off loopback without credentials, and reads them from the environment only', () => {
    const none = readUiAuth({});
    assert.throws(() => checkBind('0.0.0.0', none), UiAuthError);
    assert.doesNotThrow(() => checkBind('127.0.0.1', none));
    assert.doesNotThrow(() => checkBind('0.0.0.0', readUiAuth({ ML_CONNECTOR_UI_TOKEN: token })));
    assert.throws(() => readUiAuth({ ML_CONNECTOR_UI_TOKEN: 'short' }), /shorter than 16/);
    assert.throws(() => readUiAuth({ ML_CONNECTOR_UI_USER: 'auditor' }), /set together/);
    assert.throws(
      () => readUiAuth({ ML_CONNECTOR_UI_USER: 'a:b', ML_CONNECTOR_UI_PASSWORD: token }),
      /may not contain/,
    );
    // The message never holds the value.
    assert.throws(
      () => readUiAuth({ ML_CONNECTOR_UI_TOKEN: 'sekrit' }),
      (err: Error) => err instanceof UiAuthError && !err.message.includes('sekrit'),
    );
  });

  it('lets in the token (bearer, or as a Basic password) and the login, nothing else', () => {
    const auth = readUiAuth({
      ML_CONNECTOR_UI_TOKEN: token,
      ML_CONNECTOR_UI_USER: 'auditor',
      ML_CONNECTOR_UI_PASSWORD: 'a-password-long-enough',
    });
    assert.ok(authorized(`Bearer ${token}`, auth));
    assert.ok(authorized(basic('anyone', token), auth));
    assert.ok(authorized(basic('auditor', 'a-password-long-enough'), auth));
    for (const header of [
      undefined,
      '',
      'Bearer',
      `Bearer ${token}x`,
      basic('auditor', 'wrong-password-long'),
      basic('root', 'a-password-long-enough'),
      `Token ${token}`,
      'Basic !!!',
    ]) {
      assert.ok(!authorized(header, auth), String(header));
    }
    // Without credentials configured (loopback), everyone is let in.
    assert.ok(authorized(undefined, readUiAuth({})));
  });

  it('takes the Temporal Web UI URL as http(s) without credentials', () => {
    assert.equal(temporalUiUrl({}), 'http://127.0.0.1:8233');
    assert.equal(
      temporalUiUrl({ ML_CONNECTOR_TEMPORAL_UI_URL: 'https://temporal.example/ui/' }),
      'https://temporal.example/ui',
    );
    assert.throws(
      () => temporalUiUrl({ ML_CONNECTOR_TEMPORAL_UI_URL: 'javascript:alert(1)' }),
      /http or https/,
    );
    assert.throws(
      () => temporalUiUrl({ ML_CONNECTOR_TEMPORAL_UI_URL: 'https://u:p@temporal.example' }),
      /user name or password/,
    );
    assert.throws(() => temporalUiUrl({ ML_CONNECTOR_TEMPORAL_UI_URL: 'not a url' }), /not a URL/);
  });
});

describe('audit page: the ui verb', () => {
  const cli = (env: Record<string, string>, ...args: string[]) =>
    spawnSync(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '../../src/client/main.ts'), 'ui', ...args],
      {
        // Nothing to connect to: the refusal must come before the ledger or the configuration is read.
        env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', ...env },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );

  it('checks --port', () => {
    assert.equal(parsePort(undefined), 8480);
    assert.equal(parsePort('0'), 0);
    for (const bad of ['70000', '-1', '8e3', 'http'])
      assert.throws(() => parsePort(bad), /--port must be a whole number/);
  });

  it('refuses to start on a non-loopback address without credentials, and takes only its flags', () => {
    const refused = cli({}, '--host', '0.0.0.0', '--port', '0');
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /Refusing to serve the audit page on 0\.0\.0\.0 \(not loopback\) without credentials/,
    );
    const unknown = cli({}, '--token', 'x');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /ui: unknown option --token \(allowed: --host, --port\)/);
  });
});
