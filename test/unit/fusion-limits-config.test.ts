import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/config';
import type { SecretResolver } from '../../src/config/secrets';
import { DEFAULT_FUSION_LIMITS } from '../../src/fusion';
import { buildIntegrations } from '../../src/integrations';

// fusion.limits in the configuration file reach the worker's Fusion client.

const integration = (limits?: unknown) => ({
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
    ...(limits ? { limits } : {}),
  },
  sftp: {
    host: 'sftp.example.com',
    username: 'finance',
    auth: { type: 'password', passwordEnv: 'SFTP_PASSWORD' },
    hostKey: { sha256: 'SHA256:uBlQfNMJQtawv+7HLkSjpkM+uByIZPqIel1tbQzI+Cg' },
    folder: '/outbound',
  },
});

const secrets: SecretResolver = () => ({ fusionClientSecret: 's', sftp: { password: 'p' } });

describe('fusion.limits plumbing', () => {
  it('configured limits reach client.limits; the rest keep their defaults', async () => {
    const config = parseConfig({
      integrations: [
        integration({ maxPagesPerCollection: 123, maxRowsPerDocument: 456, maxRetryAfterSeconds: 60 }),
      ],
    });
    const runtime = buildIntegrations(config, secrets).get('gl-journal-lines')!;
    try {
      assert.deepEqual(runtime.fusion.client.limits, {
        ...DEFAULT_FUSION_LIMITS,
        maxPagesPerCollection: 123,
        maxRowsPerDocument: 456,
        maxRetryAfterSeconds: 60,
      });
    } finally {
      await runtime.fusion.close();
    }
  });

  it('no fusion.limits: the defaults', async () => {
    const runtime = buildIntegrations(parseConfig({ integrations: [integration()] }), secrets).get(
      'gl-journal-lines',
    )!;
    try {
      assert.deepEqual(runtime.fusion.client.limits, DEFAULT_FUSION_LIMITS);
    } finally {
      await runtime.fusion.close();
    }
  });
});
