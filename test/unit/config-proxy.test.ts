import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config';
import { resolveSecrets } from '../../src/config/secrets';
import { buildIntegrations } from '../../src/integrations';

// fusion.proxy, sftp.proxy and sftp.jumpHost: a strict schema, the logins resolved like every
// other secret, and the runtime given what the configuration says.

const PIN = { sha256: 'SHA256:uBlQfNMJQtawv+7HLkSjpkM+uByIZPqIel1tbQzI+Cg' };

function integration(fusion: Record<string, unknown> = {}, sftp: Record<string, unknown> = {}) {
  return {
    id: 'gl',
    entity: 'journalLines',
    fusion: {
      baseUrl: 'https://pod.example.com/fscmRestApi/resources/11.13.18.05',
      auth: { type: 'basic', username: 'integration.user', passwordEnv: 'FUSION_PASSWORD' },
      ...fusion,
    },
    sftp: {
      host: 'sftp.example.com',
      username: 'finance',
      auth: { type: 'password', passwordEnv: 'SFTP_PASSWORD' },
      hostKey: PIN,
      folder: '/outbound',
      ...sftp,
    },
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

const ENV = { FUSION_PASSWORD: 'f-secret', SFTP_PASSWORD: 's-secret' };

describe('proxy configuration', () => {
  it('accepts fusion.proxy with a login, sftp.proxy of both types and a jump host', () => {
    const config = parseConfig({
      integrations: [
        integration(
          { proxy: { url: 'http://proxy.corp.example:3128', username: 'svc', passwordEnv: 'PROXY_PW' } },
          { proxy: { type: 'socks5', url: 'socks5://10.0.0.9:1080' } },
        ),
        {
          ...integration({}, { proxy: { type: 'http', url: 'http://proxy.corp.example:8080' } }),
          id: 'gl2',
        },
        {
          ...integration(
            {},
            {
              jumpHost: {
                host: 'bastion.example.com',
                username: 'jump',
                auth: { type: 'privateKey', privateKeyEnv: 'JUMP_KEY' },
                hostKey: PIN,
              },
            },
          ),
          id: 'gl3',
        },
      ],
    });
    assert.equal(config.integrations[0]!.fusion.proxy?.username, 'svc');
    assert.equal(config.integrations[2]!.sftp.jumpHost?.port, 22);
  });

  it('rejects a password in the URL, a missing port, a wrong scheme and half a login, naming each field', () => {
    const found = problems({
      integrations: [
        integration(
          { proxy: { url: 'http://svc:hunter2@proxy.corp.example:3128' } },
          { proxy: { type: 'socks5', url: 'http://proxy.corp.example:1080', username: 'svc' } },
        ),
        { ...integration({ proxy: { url: 'http://proxy.corp.example', passwordEnv: 'PW' } }), id: 'b' },
        { ...integration({ proxy: { url: 'http://p.example:1', extra: 1 } }), id: 'c' },
      ],
    });
    assert.deepEqual(found.sort(), [
      'integrations[0].fusion.proxy.url: must not hold a user or password: set username and passwordEnv or passwordCredential',
      'integrations[0].sftp.proxy.passwordEnv: set exactly one of passwordEnv, passwordCredential',
      'integrations[0].sftp.proxy.url: must be a proxy URL socks5://host:port',
      'integrations[1].fusion.proxy.url: must be http://host:port or https://host:port with the port, nothing more',
      'integrations[1].fusion.proxy.username: a proxy password needs a username',
      'integrations[2].fusion.proxy: unknown key "extra"; the keys allowed here are url, username, passwordEnv, passwordCredential',
    ]);
    assert.ok(!found.join('\n').includes('hunter2'), 'the password in the URL is not repeated');
  });

  it('refuses a proxy and a jump host together', () => {
    const found = problems({
      integrations: [
        integration(
          {},
          {
            proxy: { type: 'http', url: 'http://p.example:3128' },
            jumpHost: {
              host: 'b.example',
              username: 'j',
              auth: { type: 'password', passwordEnv: 'J' },
              hostKey: PIN,
            },
          },
        ),
      ],
    });
    assert.deepEqual(found, ['integrations[0].sftp.jumpHost: set proxy or jumpHost, not both']);
  });

  it('resolves the logins as secrets and hands them to the runtime; a missing one is named, never shown', async () => {
    const config = parseConfig({
      integrations: [
        integration(
          {
            proxy: { url: 'http://proxy.corp.example:3128', username: 'svc', passwordEnv: 'FUSION_PROXY_PW' },
          },
          {
            jumpHost: {
              host: 'bastion.example.com',
              port: 2222,
              username: 'jump',
              auth: { type: 'password', passwordEnv: 'JUMP_PW' },
              hostKey: PIN,
            },
          },
        ),
        {
          ...integration(
            {},
            {
              proxy: {
                type: 'http',
                url: 'http://p.example:3128',
                username: 'u',
                passwordEnv: 'SFTP_PROXY_PW',
              },
            },
          ),
          id: 'gl2',
        },
      ],
    });
    await assert.rejects(
      resolveSecrets(config, { env: { ...ENV, JUMP_PW: 'j-secret', SFTP_PROXY_PW: 'p-secret' } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /integration "gl" fusion\.proxy password: environment variable FUSION_PROXY_PW is not set/.test(
          err.message,
        ) &&
        !err.message.includes('secret'),
    );
    const secrets = await resolveSecrets(config, {
      env: { ...ENV, FUSION_PROXY_PW: 'fp-secret', JUMP_PW: 'j-secret', SFTP_PROXY_PW: 'p-secret' },
    });
    assert.deepEqual(secrets('gl').fusionProxy, { username: 'svc', password: 'fp-secret' });
    assert.deepEqual(secrets('gl').sftpJumpHost, { password: 'j-secret' });
    const runtimes = buildIntegrations(config, secrets);
    try {
      assert.deepEqual(runtimes.get('gl')!.sftp.jumpHost, {
        host: 'bastion.example.com',
        port: 2222,
        username: 'jump',
        credentials: { password: 'j-secret' },
        hostKey: PIN,
      });
      assert.equal(runtimes.get('gl')!.sftp.proxy, undefined);
      assert.deepEqual(runtimes.get('gl2')!.sftp.proxy, {
        type: 'http',
        url: 'http://p.example:3128',
        login: { username: 'u', password: 'p-secret' },
      });
    } finally {
      for (const r of runtimes.values()) await r.fusion.close();
    }
  });
});
