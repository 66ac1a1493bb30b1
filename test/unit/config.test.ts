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
    assert.match(found[0]!, /^integrations\[0\]\.format: .*nope/);
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    const base = integration();
    assert.deepEqual(
      problems({ integrations: [{ ...base, fusion: { ...base.fusion, overlapSecond: 5 } }] }),
      ['integrations[0].fusion: Unrecognized key: "overlapSecond"'],
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
});
