import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError, closestKey, configFileSchema, formatPath, parseConfig } from '../../src/config';
import { parseConfigText } from '../../src/config/load';
import { objectNodesOf, schemaObjects, unwrap } from './config-schema-walk';

// One strict config: every object of the schema refuses a key it does not know, and says which
// key it is, where, and which valid key is closest. The objects are listed from the schema itself,
// so a new object that is not strict, or that no fixture below reaches, fails this test.

const EXAMPLES = join(__dirname, '../../config/examples');
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({
    name: f,
    raw: parseYaml(readFileSync(join(EXAMPLES, f), 'utf8')) as Record<string, unknown>,
  }));

/** The objects no example uses: other host-key forms, algorithms, PGP, proxies, a jump host, e-mail alerts. */
function everythingElse(): Record<string, unknown> {
  const gl = structuredClone(examples.find((e) => e.name === 'journal-lines-fixed-width.yaml')!.raw);
  const integration = (gl.integrations as Record<string, unknown>[])[0]!;
  const sftp = integration.sftp as Record<string, unknown>;
  const second = structuredClone(integration);
  sftp.hostKey = { acceptAny: true };
  sftp.algorithms = {
    kex: ['curve25519-sha256'],
    cipher: ['aes256-gcm@openssh.com'],
    serverHostKey: ['ssh-ed25519'],
    hmac: ['hmac-sha2-256'],
  };
  sftp.pgp = {
    recipientKeyFile: '/run/secrets/partner.asc',
    signingKeyEnv: 'PGP_SIGNING_KEY',
    signingPassphraseEnv: 'PGP_PASSPHRASE',
    armor: true,
  };
  (integration.fusion as Record<string, unknown>).proxy = {
    url: 'http://proxy.example.com:3128',
    username: 'mlc',
    passwordEnv: 'PROXY_PASSWORD',
  };
  sftp.proxy = { type: 'socks5', url: 'socks5://socks.example.com:1080' };
  (second.sftp as Record<string, unknown>).jumpHost = {
    host: 'bastion.example.com',
    username: 'jump',
    auth: { type: 'password', passwordEnv: 'JUMP_PASSWORD' },
    hostKey: { sha256: 'SHA256:uBlQfNMJQtawv+7HLkSjpkM+uByIZPqIel1tbQzI+Cg' },
  };
  second.destinations = [
    {
      id: 'bank',
      host: 'sftp.bank.example.com',
      username: 'mlc',
      auth: { type: 'password', passwordEnv: 'BANK_SFTP_PASSWORD' },
      hostKey: { sha256: 'SHA256:uBlQfNMJQtawv+7HLkSjpkM+uByIZPqIel1tbQzI+Cg' },
      folder: '/inbound',
      compress: 'gzip',
    },
  ];
  second.id = 'gl-csv';
  second.keyHygiene = { warnDaysBeforeExpiry: 45 };
  second.format = {
    type: 'csv',
    amountStyle: 'signed',
    ledgerCurrency: 'EUR',
    columns: [
      { header: 'Journal', field: 'journalName' },
      { header: 'Amount', field: 'enteredAmount', decimalPlaces: 'currency' },
    ],
  };
  return {
    integrations: [integration, second],
    keyHygiene: { warnDaysBeforeExpiry: 21, credentialMaxAgeDays: 180, hostKeyConfirmMaxAgeDays: 14 },
    alerts: {
      webhook: {
        url: 'https://relay.example.com/alerts',
        headerName: 'Authorization',
        headerValueEnv: 'RELAY_TOKEN',
      },
      email: {
        host: 'smtp.example.com',
        port: 587,
        username: 'alerts',
        passwordEnv: 'SMTP_PASSWORD',
        from: 'ml-connector@example.com',
        to: ['finance-it@example.com'],
      },
    },
    worker: {
      heapLimitMB: 256,
      semiSpaceMB: 8,
      heapGrowingPercent: 100,
      maxConcurrentActivities: 16,
      maxCachedWorkflows: 500,
    },
  };
}

const fixtures = [...examples, { name: 'everything else', raw: everythingElse() }];

function at(raw: unknown, path: readonly (string | number)[]): Record<string, unknown> {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], raw) as Record<
    string,
    unknown
  >;
}

const shapeKeys = (schema: z.ZodType): string[] =>
  Object.keys((unwrap(schema) as unknown as { _zod: { def: { shape: object } } })._zod.def.shape);

/** A plausible misspelling: the first two different neighbouring letters after the first swapped. */
function misspell(key: string): string {
  for (let i = 1; i < key.length - 1; i++) {
    if (key[i] !== key[i + 1]) return key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
  }
  return key.length > 1 ? key[1]! + key[0]! + key.slice(2) : `${key}x`;
}

describe('one strict configuration', () => {
  it('every object of the schema is strict', () => {
    const objects = schemaObjects(configFileSchema);
    assert.ok(objects.length >= 25, `found ${objects.length} objects`);
    assert.deepEqual(
      objects.filter((o) => !o.strict).map((o) => o.name),
      [],
    );
  });

  it('the fixtures reach every object of the schema, and every one is valid as it is', () => {
    const reached = new Set<z.ZodType>();
    for (const f of fixtures) {
      parseConfig(f.raw, f.name);
      for (const node of objectNodesOf(configFileSchema, f.raw)) reached.add(node.schema);
    }
    const missing = schemaObjects(configFileSchema).filter((o) => o.schemas.some((s) => !reached.has(s)));
    assert.deepEqual(
      missing.map((o) => o.name),
      [],
      'add the object to an example in config/examples or to everythingElse() above',
    );
  });

  for (const f of fixtures) {
    it(`${f.name}: a misspelt key at every level is refused, named, matched to the closest key and located`, () => {
      const nodes = objectNodesOf(configFileSchema, f.raw);
      assert.ok(nodes.length > 5);
      for (const { path, schema } of nodes) {
        const raw = structuredClone(f.raw);
        const target = at(raw, path);
        const keys = shapeKeys(schema);
        const unset = keys.filter((k) => !(k in target));
        const wanted = unset[0] ?? keys[0]!;
        const typo = misspell(wanted);
        target[typo] = target[wanted] ?? 'x';
        const where = formatPath(path) || '(top level)';
        const text = JSON.stringify(raw, null, 2);
        let problems: string[] = [];
        try {
          parseConfigText(text, 'json', 'ml.json');
        } catch (err) {
          assert.ok(err instanceof ConfigError, String(err));
          problems = err.problems;
        }
        const expected = unset.length
          ? `${where}: unknown key "${typo}" (did you mean "${closestKey(typo, unset)}"?)`
          : `${where}: unknown key "${typo}"; the keys allowed here are ${keys.join(', ')}`;
        // Where the typo is in the text: line and column of its key.
        const offset = text.indexOf(`"${typo}"`);
        const line = text.slice(0, offset).split('\n').length;
        const column = offset - text.lastIndexOf('\n', offset - 1);
        assert.ok(
          problems.includes(`ml.json:${line}:${column} ${expected}`),
          `${where} with "${typo}":\n${problems.join('\n')}`,
        );
        if (unset.length) assert.equal(closestKey(typo, unset), wanted, `${typo} → ${wanted}`);
      }
    });
  }

  it('an impliedDecimal in a fixed-width field is refused, not dropped (it would change the scale)', () => {
    const raw = structuredClone(examples.find((e) => e.name === 'journal-lines-fixed-width.yaml')!.raw);
    const detail = at(raw, ['integrations', 0, 'format', 'detail', 'fields', 4]);
    assert.equal(detail.name, 'debit');
    delete detail.impliedDecimals;
    detail.impliedDecimal = 2;
    assert.throws(
      () => parseConfig(raw),
      (err: ConfigError) =>
        err.problems.includes(
          'integrations[0].format.detail.fields[4]: unknown key "impliedDecimal" (did you mean "impliedDecimals"?)',
        ),
    );
  });

  it('suggests only a near key', () => {
    assert.equal(closestKey('prot', ['port', 'host']), 'port');
    assert.equal(closestKey('PageSize', ['pageSize']), 'pageSize');
    assert.equal(closestKey('schedul', ['schedule', 'sftp']), 'schedule');
    assert.equal(closestKey('colour', ['header', 'delimiter']), undefined);
    assert.equal(closestKey('x', ['id']), undefined);
  });
});

describe('sftp.acknowledgements', () => {
  it('is refused for a format other than X12, naming the field', () => {
    const gl = structuredClone(examples.find((e) => e.name === 'journal-lines-fixed-width.yaml')!.raw);
    const integration = (gl.integrations as Record<string, unknown>[])[0]!;
    (integration.sftp as Record<string, unknown>).acknowledgements = { folder: '/out/997' };
    assert.throws(
      () => parseConfig(gl),
      (e: unknown) =>
        e instanceof ConfigError &&
        /sftp\.acknowledgements.*for X12 integrations, not format fixedWidth/.test(e.message),
    );
  });
});
