import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SCOPE, FusionSimulator } from '../../simulator/server';
import { basicHeader, SimClient } from '../../simulator/test-client';

// Contract: the identity domain's token endpoint (§1.1), Basic auth on resources (§1.2), what a
// 401 looks like (§1.3) and error bodies per framework version (§2.5).

const CLIENT_ID = 'sim-client';
const SECRET = 'sim-secret-7c1e';
const BASIC = { username: 'fusion.reader', password: 'reader-pw' };

describe('simulator contract: authentication and errors', () => {
  let clock = Date.parse('2026-11-26T09:00:00Z');
  const sim = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    basicAuth: BASIC,
    tokenTtlSeconds: 600,
    now: () => clock,
  });
  const limited = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    tokenRateLimit: { limit: 2, windowMs: 60_000, retryAfterSeconds: 5 },
  });
  let url: string;
  let limitedUrl: string;

  const requestToken = (
    base: string,
    form: Record<string, string> = { grant_type: 'client_credentials', scope: DEFAULT_SCOPE },
    authorization: string | null = basicHeader(CLIENT_ID, SECRET),
  ) =>
    fetch(`${base}/oauth2/v1/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
        ...(authorization ? { authorization } : {}),
      },
      body: new URLSearchParams(form).toString(),
    });

  before(async () => {
    url = await sim.listen();
    limitedUrl = await limited.listen();
  });
  after(async () => {
    await sim.close();
    await limited.close();
  });

  it('token: client credentials with Basic client auth return a Bearer token and expires_in', async () => {
    const res = await requestToken(url);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 600);
    assert.match(String(body.access_token), /^eyJ/);
  });

  it('token: a wrong client secret in Basic answers 401 invalid_client', async () => {
    const res = await requestToken(url, undefined, basicHeader(CLIENT_ID, 'wrong'));
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
  });

  it('token: no client authentication at all answers 400 invalid_client', async () => {
    const res = await requestToken(url, undefined, null);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
  });

  it('token: another scope, or the Fusion scope combined with another, answers 400 invalid_scope', async () => {
    for (const scope of ['urn:opc:idm:__myscopes__', `${DEFAULT_SCOPE} urn:opc:idm:__myscopes__`]) {
      const res = await requestToken(url, { grant_type: 'client_credentials', scope });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_scope');
    }
  });

  it('token: a grant other than client_credentials answers 400 unsupported_grant_type', async () => {
    const res = await requestToken(url, { grant_type: 'password', scope: DEFAULT_SCOPE });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'unsupported_grant_type');
  });

  it('token: beyond the configured rate the endpoint answers 429 (with Retry-After when configured)', async () => {
    assert.equal((await requestToken(limitedUrl)).status, 200);
    assert.equal((await requestToken(limitedUrl)).status, 200);
    const third = await requestToken(limitedUrl);
    assert.equal(third.status, 429);
    assert.equal(third.headers.get('retry-after'), '5');
    assert.equal(limited.stats.faults.tokenRateLimit, 1);
  });

  it('REST: a live Bearer token is accepted; missing, unknown or expired ones get 401, empty body, WWW-Authenticate: Bearer', async () => {
    const { access_token } = (await (await requestToken(url)).json()) as { access_token: string };
    const bearer = new SimClient(url, { authorization: `Bearer ${access_token}` });
    assert.equal((await bearer.get('/suppliers')).status, 200);
    for (const authorization of [undefined, 'Bearer eyJnot-issued']) {
      const res = await new SimClient(url, { authorization }).get('/suppliers');
      assert.equal(res.status, 401);
      assert.equal(res.text, '');
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    }
    clock += 601_000; // past expires_in
    assert.equal((await bearer.get('/suppliers')).status, 401);
  });

  it('REST: Basic auth with the configured Fusion user is accepted; a wrong password gets 401', async () => {
    assert.equal((await new SimClient(url, { basic: BASIC }).get('/invoices')).status, 200);
    const wrong = await new SimClient(url, { basic: { ...BASIC, password: 'nope' } }).get('/invoices');
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic/);
  });

  it('REST: Basic auth is refused when the pod has no Basic user configured', async () => {
    const res = await new SimClient(limitedUrl, { basic: BASIC }).get('/invoices');
    assert.equal(res.status, 401);
  });

  it('errors: v4+ answers a bad request with the JSON error payload', async () => {
    const res = await new SimClient(url, { basic: BASIC, frameworkVersion: 4 }).get('/invoices', {
      q: "Nope = '1'",
    });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /application\/vnd\.oracle\.adf\.error\+json/);
    const body = res.json!;
    assert.equal(body.title, 'Bad Request');
    assert.equal(body.status, '400');
    const [detail] = body['o:errorDetails'] as { detail: string; 'o:errorCode': string }[];
    assert.match(detail!.detail, /unknown attribute 'Nope'/);
    assert.ok(detail!['o:errorCode']);
  });

  it('errors: before v4 a bad request is answered in plain text', async () => {
    for (const frameworkVersion of [1, 2, 3]) {
      const res = await new SimClient(url, { basic: BASIC, frameworkVersion }).get('/invoices', {
        orderBy: 'Nope',
      });
      assert.equal(res.status, 400);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(res.text, /unknown attribute 'Nope'/);
    }
  });

  it('errors: an unknown resource or key is a 404; an unsupported framework version a 400', async () => {
    const v4 = new SimClient(url, { basic: BASIC, frameworkVersion: 4 });
    assert.equal((await v4.get('/journalEntries')).status, 404);
    assert.equal((await v4.get('/suppliers/1')).status, 404);
    const badVersion = await new SimClient(url, { basic: BASIC }).get(
      '/suppliers',
      {},
      {
        'rest-framework-version': 'four',
      },
    );
    assert.equal(badVersion.status, 400);
  });

  it('the context root lists the API version with its framework versions', async () => {
    const res = await fetch(`${url}/fscmRestApi/resources/`, {
      headers: { authorization: basicHeader(BASIC.username, BASIC.password) },
    });
    const body = (await res.json()) as { items: Record<string, unknown>[] };
    assert.equal(body.items[0]!.version, '11.13.18.05');
    assert.equal(body.items[0]!.isLatest, true);
  });
});
