import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulatorIntegration } from '../../dev/integration';
import type { SshdInstance } from '../../dev/sshd';
import { FusionSimulator } from '../../simulator/server';
import { parseConfig } from '../../src/config';
import { connectFusion, FusionError, readChanges } from '../../src/fusion';
import { readOptionsFor } from '../../src/integrations';

// Ask only for what the layout needs: a pod (or role) that does not expose a child collection
// answers 400 to any request naming it; an integration whose file uses none of its fields must
// still sync, and one that does must fail with an error naming the child and the config key.

const CLIENT_ID = 'children-test';
const SECRET = 'children-test-secret';
const WINDOW = { from: '1970-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
// Config only: nothing here connects to it.
const sshd = {
  host: '127.0.0.1',
  port: 2222,
  username: 'nobody',
  hostKeySha256: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
  folder: '/outbound',
} as SshdInstance;

function integration(simUrl: string, extra: Record<string, unknown>) {
  const base = simulatorIntegration({ id: 'invoices-children', simUrl, clientId: CLIENT_ID, sshd });
  const { fusion, ...rest } = extra as { fusion?: Record<string, unknown> };
  return parseConfig({
    integrations: [{ ...base, entity: 'invoices', ...rest, fusion: { ...base.fusion, ...fusion } }],
  }).integrations[0]!;
}

async function readInvoices(sim: FusionSimulator, extra: Record<string, unknown>) {
  const url = await sim.listen();
  const config = integration(url, extra);
  const fusion = connectFusion({
    baseUrl: config.fusion.baseUrl,
    auth: {
      type: 'oauth',
      tokenUrl: `${url}/oauth2/v1/token`,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      scope: (config.fusion.auth as { scope: string }).scope,
      tokenRefreshSeconds: 3300,
    },
    pageSize: 7,
    frameworkVersion: 4,
    requestTimeoutSeconds: 10,
  });
  const options = readOptionsFor(config);
  const invoices: { distributions: number }[] = [];
  try {
    for await (const page of readChanges(fusion.client, 'invoices', WINDOW, options)) {
      for (const x of page) {
        assert.ok(x.ok, x.ok ? '' : x.error.message);
        if (x.ok) invoices.push({ distributions: x.record.lines.flatMap((l) => l.distributions).length });
      }
    }
    return { invoices, options, gets: sim.stats.recentCollectionGets };
  } finally {
    await fusion.close();
    await sim.close();
  }
}

const distributionCsv = {
  format: {
    type: 'csv',
    rowMode: 'line',
    columns: [
      { header: 'Invoice', field: 'invoiceNumber' },
      { header: 'Charge account', field: 'line.distribution.distributionCombination' },
    ],
  },
};

describe('child collections derived from the format', () => {
  it('the default invoice CSV asks for no distributions or installments, and syncs on a pod that hides them', async () => {
    const sim = new FusionSimulator({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      unexposedChildren: ['invoiceDistributions', 'invoiceInstallments'],
    });
    const { invoices, options, gets } = await readInvoices(sim, {});
    assert.deepEqual(options.children, [{ name: 'invoiceLines', children: [] }]);
    assert.ok(invoices.length >= 10, `${invoices.length} invoices`);
    for (const get of gets) {
      assert.doesNotMatch(JSON.stringify(get.params), /invoiceDistributions|invoiceInstallments/);
    }
  });

  it('a layout with distribution fields asks for them, and a pod that hides them fails naming the child and fusion.children', async () => {
    const full = await readInvoices(
      new FusionSimulator({ clientId: CLIENT_ID, clientSecret: SECRET }),
      distributionCsv,
    );
    assert.ok(
      full.invoices.some((i) => i.distributions > 0),
      'distributions read',
    );

    const hidden = new FusionSimulator({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      unexposedChildren: ['invoiceDistributions'],
    });
    await assert.rejects(
      readInvoices(hidden, distributionCsv),
      (err: unknown) =>
        err instanceof FusionError &&
        err.kind === 'bad-request' &&
        /child collection "invoiceDistributions" of invoices/.test(err.message) &&
        /fusion\.children/.test(err.message),
    );
  });

  it('fusion.children overrides the derivation, and names only optional children of the entity', async () => {
    const sim = new FusionSimulator({ clientId: CLIENT_ID, clientSecret: SECRET });
    const { options, invoices } = await readInvoices(sim, {
      ...distributionCsv,
      fusion: { children: ['invoiceInstallments'] },
    });
    assert.deepEqual(options.children, [
      { name: 'invoiceLines', children: [] },
      { name: 'invoiceInstallments' },
    ]);
    assert.ok(invoices.every((i) => i.distributions === 0));
    assert.throws(
      () =>
        integration('https://pod.example.com', { fusion: { children: ['invoiceLines', 'distributions'] } }),
      /"invoiceLines" is not an optional child collection of invoices; the optional ones are invoiceLines\.invoiceDistributions, invoiceInstallments/,
    );
  });
});
