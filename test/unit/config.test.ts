import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config';
import { resolveSecrets } from '../../src/config/secrets';

function integration(overrides: Record<string, unknown> = {}) {
  return {
    id: 'gl-journal-lines',
    entity: 'journalLines',
    fusion: {
      baseUrl: 'https://pod.example.com/fscmRestApi/resources/11.13.18.05',
      auth: {
        type: 'oauth',
        tokenUrl: 'https://idcs-1.identity.oraclecloud.com/oauth2/v1/token',
        clientId: 'ml-connector',
        clientSecretEnv: 'FUSION_CLIENT_SECRET',
        scope: 'urn:opc:resource:fa:instanceid=1urn:opc:resource:consumer::all',
      },
    },
    sftp: {
      host: 'sftp.example.com',
      username: 'finance',
      auth: { type: 'password', passwordEnv: 'SFTP_PASSWORD' },
      hostKey: { sha256: 'SHA256:uBlQfNMJQtawv+7HLkSjpkM+uByIZPqIel1tbQzI+Cg' },
      folder: '/outbound',
    },
    ...overrides,
  };
}

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('fills documented defaults', () => {
    const config = parseConfig({ integrations: [integration()] });
    const i = config.integrations[0]!;
    assert.equal(i.fusion.auth.type === 'oauth' && i.fusion.auth.tokenRefreshSeconds, 3300);
    assert.equal(i.fusion.pageSize, 500);
    assert.equal(i.sftp.port, 22);
    assert.equal(i.format.type, 'csv');
    assert.equal(i.format.type === 'csv' && i.format.decimalPlaces, 2);
    assert.equal(i.allowUnbalancedJournals, false);
  });

  it('reports every problem at once, each with the path an admin can find', () => {
    const found = problems({
      integrations: [
        integration({
          id: 'GL Journals',
          sftp: {
            host: 'h',
            port: 70000,
            username: 'u',
            auth: { type: 'password', passwordEnv: 'hunter2!' },
            hostKey: { sha256: 'SHA256:uBlQfNMJQtawv+7HLkSjpkM+uByIZPqIel1tbQzI+Cg' },
            folder: 'outbound',
          },
        }),
      ],
    });
    assert.equal(found.length, 4, found.join('\n'));
    assert.ok(found.some((p) => p.startsWith('integrations[0].id: lower-case letters')));
    assert.ok(found.some((p) => p.startsWith('integrations[0].sftp.port:')));
    assert.ok(found.some((p) => p.startsWith('integrations[0].sftp.auth.passwordEnv: must be the NAME')));
    assert.ok(found.some((p) => p.startsWith('integrations[0].sftp.folder: must be an absolute path')));
  });

  it('rejects a cost-centre column when the chart of accounts has no such segment', () => {
    const found = problems({
      integrations: [integration({ chartOfAccounts: { delimiter: '.', segments: ['company', 'account'] } })],
    });
    assert.deepEqual(found, [
      'integrations[0].format: columns[7] (Cost Centre): segment "costCentre" is not in the chart of accounts (company, account)',
    ]);
  });

  it('rejects X12 for an entity it does not fit, and a CSV column naming an unknown field', () => {
    assert.deepEqual(
      problems({
        integrations: [
          integration({
            entity: 'suppliers',
            format: {
              type: 'x12',
              partnerId: 'acme',
              interchangeSender: { qualifier: 'ZZ', id: 'US' },
              interchangeReceiver: { qualifier: 'ZZ', id: 'THEM' },
              applicationSender: 'US',
              applicationReceiver: 'THEM',
            },
          }),
        ],
      }),
      ['integrations[0].format.type: X12 is for invoices (810) and purchaseOrders (850), not suppliers'],
    );
    const found = problems({
      integrations: [
        integration({
          entity: 'invoices',
          format: { type: 'csv', columns: [{ header: 'X', field: 'nope' }] },
        }),
      ],
    });
    assert.equal(found.length, 1);
    assert.match(
      found[0]!,
      /^integrations\[0\]\.format\.columns\[0\]\.field: unknown invoices field "nope"; the invoices fields are recordId, /,
    );
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    const base = integration();
    assert.deepEqual(
      problems({ integrations: [{ ...base, fusion: { ...base.fusion, overlapSecond: 5 } }] }),
      ['integrations[0].fusion: unknown key "overlapSecond" (did you mean "overlapSeconds"?)'],
    );
  });

  it('rejects duplicate integration IDs', () => {
    assert.deepEqual(problems({ integrations: [integration(), integration()] }), [
      'integrations[1].id: duplicate integration id "gl-journal-lines"',
    ]);
  });

  it('names each missing secret by its variable, and never prints a secret value', async () => {
    const config = parseConfig({ integrations: [integration()] });
    await assert.rejects(
      resolveSecrets(config, { env: { FUSION_CLIENT_SECRET: 'top-secret-value' } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /sftp\.auth password: environment variable SFTP_PASSWORD is not set/.test(err.message) &&
        !err.message.includes('top-secret-value'),
    );
    const secrets = await resolveSecrets(config, { env: { FUSION_CLIENT_SECRET: 'a', SFTP_PASSWORD: 'b' } });
    assert.deepEqual(secrets('gl-journal-lines'), { fusionClientSecret: 'a', sftp: { password: 'b' } });
  });
  describe('Fusion URLs carry credentials: https, or plain http to a loopback address only', () => {
    const withUrls = (baseUrl: string, tokenUrl: string) => {
      const base = integration();
      return {
        integrations: [
          { ...base, fusion: { ...base.fusion, baseUrl, auth: { ...base.fusion.auth, tokenUrl } } },
        ],
      };
    };

    it('rejects http to any other host, naming the key', () => {
      assert.deepEqual(
        problems(withUrls('http://pod.example.com/fscmRestApi', 'http://10.0.0.5:8080/token')),
        [
          'integrations[0].fusion.baseUrl: must be https: plain http (to pod.example.com) would send the credentials in clear; only a loopback address may use http',
          'integrations[0].fusion.auth.tokenUrl: must be https: plain http (to 10.0.0.5:8080) would send the credentials in clear; only a loopback address may use http',
        ],
      );
      // A name that merely starts like a loopback address is not one.
      assert.equal(problems(withUrls('http://127.0.0.1.nip.io/x', 'https://idcs.example.com/t')).length, 1);
      assert.equal(
        problems(withUrls('http://localhost.example.com/x', 'https://idcs.example.com/t')).length,
        1,
      );
      assert.equal(problems(withUrls('ftp://pod.example.com/x', 'https://idcs.example.com/t')).length, 1);
      assert.deepEqual(problems(withUrls('not a url', 'https://idcs.example.com/t')), [
        'integrations[0].fusion.baseUrl: must be an http(s) URL',
      ]);
    });

    it('rejects a user or password in the URL', () => {
      assert.deepEqual(problems(withUrls('https://u:p@pod.example.com/x', 'https://idcs.example.com/t')), [
        'integrations[0].fusion.baseUrl: must not hold a user or password',
      ]);
    });

    it('accepts https anywhere, and http to 127.0.0.0/8, ::1 and localhost', () => {
      for (const [baseUrl, tokenUrl] of [
        ['https://pod.example.com/fscmRestApi', 'https://idcs.example.com/oauth2/v1/token'],
        ['http://127.0.0.1:8790/fscmRestApi', 'http://127.10.20.30/token'],
        ['http://[::1]:8790/fscmRestApi', 'http://localhost:8790/token'],
      ] as const) {
        assert.doesNotThrow(() => parseConfig(withUrls(baseUrl, tokenUrl)), `${baseUrl} ${tokenUrl}`);
      }
    });
  });

  it('fusion.limits: optional keys, strict, each checked', () => {
    const base = integration();
    const withLimits = (limits: unknown) => ({
      integrations: [{ ...base, fusion: { ...base.fusion, limits } }],
    });
    const parsed = parseConfig(withLimits({ maxPagesPerCollection: 50, maxRetryAfterSeconds: 60 }));
    assert.deepEqual(parsed.integrations[0]!.fusion.limits, {
      maxPagesPerCollection: 50,
      maxRetryAfterSeconds: 60,
    });
    assert.equal(parseConfig({ integrations: [base] }).integrations[0]!.fusion.limits, undefined);
    const found = problems(
      withLimits({
        maxPages: 1,
        maxResponseBytes: 10,
        maxRetryAfterSeconds: 99999999,
        maxRowsPerDocument: 0,
      }),
    );
    assert.equal(found.length, 4, found.join('\n'));
    assert.ok(found.some((p) => p.startsWith('integrations[0].fusion.limits: unknown key "maxPages"')));
    assert.ok(found.some((p) => p.startsWith('integrations[0].fusion.limits.maxResponseBytes:')));
    assert.ok(found.some((p) => p.startsWith('integrations[0].fusion.limits.maxRetryAfterSeconds:')));
    assert.ok(found.some((p) => p.startsWith('integrations[0].fusion.limits.maxRowsPerDocument:')));
  });
});
