import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { ConfigError } from '../../src/config';
import { loadTemporalTarget } from '../../src/temporal/connection';

// Where the worker and the CLI connect: Temporal's client configuration (a TOML profile file and
// TEMPORAL_* variables, read by @temporalio/envconfig), with what our loader adds: defaults,
// clear errors naming the variable or file, and the API key kept out of anything printable.

const dir = mkdtempSync(join(tmpdir(), 'mlc-temporal-'));
const caPath = join(dir, 'ca.pem');
writeFileSync(caPath, 'CA PEM BYTES');
const profiles = join(dir, 'temporal.toml');
writeFileSync(
  profiles,
  `[profile.default]
address = "temporal.internal:7233"
namespace = "erp"

[profile.cloud]
address = "erp.a1b2c.tmprl.cloud:7233"
namespace = "erp.a1b2c"
api_key = "profile-key-s3cret"

[profile.mtls]
address = "temporal.internal:7233"
namespace = "erp"
[profile.mtls.tls]
server_ca_cert_path = "${caPath}"
server_name = "temporal.test"
client_cert_data = "CLIENT CERT"
client_key_data = "CLIENT KEY"
`,
);

/** The environment of a process with only these variables (no HOME: no default profile file). */
const load = (env: Record<string, string>) => loadTemporalTarget(env);

function configError(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('Temporal client configuration', () => {
  it('defaults to a local dev server, plain, namespace default', () => {
    const t = load({});
    assert.deepEqual(t.connectionOptions(), { address: '127.0.0.1:7233' });
    assert.deepEqual(t.summary, {
      address: '127.0.0.1:7233',
      namespace: 'default',
      tls: false,
      apiKey: false,
    });
  });

  it('reads the default profile of TEMPORAL_CONFIG_FILE, the environment on top', () => {
    const t = load({ TEMPORAL_CONFIG_FILE: profiles });
    assert.equal(t.address, 'temporal.internal:7233');
    assert.equal(t.namespace, 'erp');
    const overridden = load({
      TEMPORAL_CONFIG_FILE: profiles,
      TEMPORAL_ADDRESS: 'other:7233',
      TEMPORAL_NAMESPACE: 'ops',
    });
    assert.deepEqual([overridden.address, overridden.namespace], ['other:7233', 'ops']);
  });

  it('an API key turns TLS on; TEMPORAL_TLS=false turns it off again', () => {
    const cloud = load({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'cloud' });
    assert.deepEqual(cloud.connectionOptions(), {
      address: 'erp.a1b2c.tmprl.cloud:7233',
      apiKey: 'profile-key-s3cret',
      tls: true,
    });
    assert.equal(cloud.namespace, 'erp.a1b2c');
    const fromEnv = load({ TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_API_KEY: 'env-key-s3cret' });
    assert.deepEqual(fromEnv.connectionOptions(), { address: 'x:7233', apiKey: 'env-key-s3cret', tls: true });
    const plain = load({ TEMPORAL_API_KEY: 'env-key-s3cret', TEMPORAL_TLS: 'false' });
    assert.equal(plain.connectionOptions().tls, false);
    assert.equal(plain.summary.tls, false);
  });

  it('reads mTLS from the profile and from TEMPORAL_TLS_* variables', () => {
    const t = load({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'mtls' });
    const { tls } = t.connectionOptions();
    assert.ok(tls && typeof tls === 'object');
    assert.equal(tls.serverNameOverride, 'temporal.test');
    assert.equal(Buffer.from(tls.serverRootCACertificate!).toString(), 'CA PEM BYTES');
    assert.equal(Buffer.from(tls.clientCertPair!.crt).toString(), 'CLIENT CERT');
    assert.equal(Buffer.from(tls.clientCertPair!.key).toString(), 'CLIENT KEY');
    assert.equal(t.summary.tls, true);
    const env = load({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
    }).connectionOptions().tls;
    assert.ok(env && typeof env === 'object');
    assert.equal(Buffer.from(env.serverRootCACertificate!).toString(), 'CA PEM BYTES');
    assert.equal(env.serverNameOverride, 'temporal.test');
    // TLS on, with the system's CAs.
    const on = load({ TEMPORAL_TLS: 'true' });
    assert.equal(on.summary.tls, true);
    assert.equal(on.describe(), '127.0.0.1:7233 (namespace default, TLS)');
  });

  it('takes an empty variable for unset (compose files often pass one)', () => {
    const t = load({ TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '', TEMPORAL_API_KEY: '' });
    assert.deepEqual(t.summary, {
      address: '127.0.0.1:7233',
      namespace: 'default',
      tls: false,
      apiKey: false,
    });
  });

  it('never shows the API key when the target is printed or logged', () => {
    const t = load({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'cloud' });
    for (const shown of [JSON.stringify(t), inspect(t, { depth: 10, showHidden: true }), t.describe()]) {
      assert.ok(!shown.includes('profile-key-s3cret'), shown);
    }
    assert.equal(
      t.describe(),
      'erp.a1b2c.tmprl.cloud:7233 (namespace erp.a1b2c, TLS, API key, profile cloud)',
    );
    assert.deepEqual(JSON.parse(JSON.stringify(t)), {
      address: 'erp.a1b2c.tmprl.cloud:7233',
      namespace: 'erp.a1b2c',
      tls: true,
      apiKey: true,
      profile: 'cloud',
    });
  });

  it('names what is wrong: a missing file, an unknown profile, a bad switch, a missing certificate', () => {
    assert.equal(
      configError(() => load({ TEMPORAL_CONFIG_FILE: join(dir, 'nope.toml') })),
      `TEMPORAL_CONFIG_FILE: ${join(dir, 'nope.toml')} does not exist`,
    );
    assert.equal(
      configError(() => load({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'prod' })),
      `TEMPORAL_CONFIG_FILE ${profiles}: Profile 'prod' not found in config data`,
    );
    assert.equal(
      configError(() => load({ TEMPORAL_TLS: 'yes' })),
      'TEMPORAL_TLS must be true, false, 1 or 0 (got "yes")',
    );
    assert.match(
      configError(() => load({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })),
      /^TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported by the TypeScript SDK: set TEMPORAL_TLS_SERVER_NAME/,
    );
    assert.equal(
      configError(() => load({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'missing-ca.pem') })),
      `the Temporal client configuration: cannot read ${join(dir, 'missing-ca.pem')} (no such file)`,
    );
  });

  it('a TOML mistake is given by line and column, never by quoting the line (it may hold a key)', () => {
    const broken = join(dir, 'broken.toml');
    writeFileSync(broken, '[profile.default]\naddress = "x:7233"\napi_key = "half-a-s3cret\n');
    const message = configError(() => load({ TEMPORAL_CONFIG_FILE: broken }));
    assert.match(
      message,
      new RegExp(`^TEMPORAL_CONFIG_FILE ${broken}: not valid TOML \\(line 3, column \\d+\\)$`),
    );
    assert.ok(!message.includes('half-a-s3cret'));
  });
});
