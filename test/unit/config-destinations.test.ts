import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config';
import { resolveSecrets, usesCredentialStore } from '../../src/config/secrets';
import { buildIntegrations } from '../../src/integrations';

// `destinations`: further SFTP destinations of an integration's file, each a full `sftp` object
// with an ID of its own. Strict like the rest, errors naming the destination and field.

const HOST_KEY = { sha256: 'SHA256:uBlQfNMJQtawv+7HLkSjpkM+uByIZPqIel1tbQzI+Cg' };

function destination(overrides: Record<string, unknown> = {}) {
  return {
    id: 'bank',
    host: 'sftp.bank.example.com',
    username: 'mlc',
    auth: { type: 'password', passwordEnv: 'BANK_SFTP_PASSWORD' },
    hostKey: HOST_KEY,
    folder: '/inbound',
    ...overrides,
  };
}

function integration(destinations: unknown) {
  return {
    id: 'gl',
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
      hostKey: HOST_KEY,
      folder: '/outbound',
    },
    ...(destinations === undefined ? {} : { destinations }),
  };
}

function problems(destinations: unknown): string[] {
  try {
    parseConfig({ integrations: [integration(destinations)] });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration: destinations', () => {
  it('an integration without destinations parses as before (no destinations key)', () => {
    const i = parseConfig({ integrations: [integration(undefined)] }).integrations[0]!;
    assert.equal('destinations' in i, false);
  });

  it('each destination gets the sftp defaults and keeps its own compression and PGP', () => {
    const i = parseConfig({
      integrations: [
        integration([
          destination({ compress: 'gzip' }),
          destination({ id: 'auditor', pgp: { recipientKeyEnv: 'AUDITOR_KEY', armor: true } }),
        ]),
      ],
    }).integrations[0]!;
    const [bank, auditor] = i.destinations!;
    assert.equal(bank!.port, 22);
    assert.equal(bank!.retryWindowMinutes, 30);
    assert.equal(bank!.compress, 'gzip');
    assert.equal(bank!.pgp, undefined);
    assert.equal(auditor!.pgp?.armor, true);
    assert.equal(auditor!.compress, undefined);
    assert.equal(i.sftp.compress, undefined);
  });

  it('refuses duplicate IDs, the reserved name primary, and a bad ID, naming each', () => {
    assert.deepEqual(problems([destination(), destination({ id: 'auditor' }), destination()]), [
      'integrations[0].destinations[2].id: duplicate destination id "bank"',
    ]);
    assert.deepEqual(problems([destination({ id: 'primary' })]), [
      'integrations[0].destinations[0].id: "primary" is the name of `sftp` itself',
    ]);
    assert.equal(
      problems([destination({ id: 'Bank Two' })])[0]?.startsWith('integrations[0].destinations[0].id:'),
      true,
    );
  });

  it('is strict: an unknown key, a missing host key or folder is named with its destination', () => {
    assert.deepEqual(problems([destination({ compres: 'gzip' })]), [
      'integrations[0].destinations[0]: unknown key "compres" (did you mean "compress"?)',
    ]);
    const { hostKey: _, folder: __, ...bare } = destination();
    const found = problems([bare]);
    assert.ok(
      found.some((p) => p.startsWith('integrations[0].destinations[0].hostKey')),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => p.startsWith('integrations[0].destinations[0].folder')),
      found.join('\n'),
    );
    assert.deepEqual(problems([destination({ compress: 'rar' })]).length, 1);
  });

  it('refuses a proxy and a jump host together on a destination', () => {
    assert.deepEqual(
      problems([
        destination({
          proxy: { type: 'socks5', url: 'socks5://socks.example.com:1080' },
          jumpHost: {
            host: 'bastion.example.com',
            username: 'jump',
            auth: { type: 'password', passwordEnv: 'JUMP_PASSWORD' },
            hostKey: HOST_KEY,
          },
        }),
      ]),
      ['integrations[0].destinations[0].jumpHost: set proxy or jumpHost, not both'],
    );
  });

  it('resolves each destination its own secrets, naming a missing one by destination and variable', async () => {
    const config = parseConfig({ integrations: [integration([destination()])] });
    await assert.rejects(
      resolveSecrets(config, { env: { FUSION_CLIENT_SECRET: 'x', SFTP_PASSWORD: 'p' } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.length === 1 &&
        err.problems[0] ===
          'integration "gl" destinations[0] (bank).auth password: environment variable BANK_SFTP_PASSWORD is not set',
    );
    const secrets = await resolveSecrets(config, {
      env: { FUSION_CLIENT_SECRET: 'x', SFTP_PASSWORD: 'p', BANK_SFTP_PASSWORD: 'b' },
    });
    const rt = buildIntegrations(config, secrets).get('gl')!;
    try {
      assert.deepEqual(rt.sftp.credentials, { password: 'p' });
      assert.deepEqual(
        rt.destinations.map((d) => [d.id, d.sftp.host, d.sftp.folder, d.sftp.credentials]),
        [['bank', 'sftp.bank.example.com', '/inbound', { password: 'b' }]],
      );
    } finally {
      await rt.fusion.close();
    }
    assert.equal(usesCredentialStore(config), false);
    const stored = parseConfig({
      integrations: [
        integration([destination({ auth: { type: 'password', passwordCredential: 'bank-sftp' } })]),
      ],
    });
    assert.equal(usesCredentialStore(stored), true);
  });
});
