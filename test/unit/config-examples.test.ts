import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type X12Interchange, X12Parser } from 'node-x12';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config';
import { rendererFor } from '../../src/config/formats';
import { envelope, purchaseOrder } from './formats-fixtures';

// The example configurations a new user starts from (config/examples), and the load-time checks
// that go with the strict schema: file name templates, field names at their column, ISA01–04.

const EXAMPLES = join(__dirname, '../../config/examples');
const exampleFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

const example = (file: string) => loadConfigFile(join(EXAMPLES, file));

// biome-ignore lint/suspicious/noExplicitAny: a raw config object is edited by path in these tests
type Raw = Record<string, any>;

/** The journal-lines example as a raw object with one change made to its first integration. */
function withIntegration(change: (integration: Raw) => void): unknown {
  const config = structuredClone(example('journal-lines-fixed-width.yaml')) as unknown as {
    integrations: Raw[];
  };
  change(config.integrations[0]!);
  return config;
}

describe('config/examples', () => {
  it('holds one example per entity and format, the seed use case first in the list below', () => {
    assert.deepEqual(exampleFiles.sort(), [
      'invoices-x12-810.yaml',
      'journal-lines-fixed-width.yaml',
      'purchase-orders-csv.yaml',
      'purchase-orders-x12-850.yaml',
      'suppliers-csv.yaml',
    ]);
  });

  const expected: Record<string, { entity: string; format: string; cron: string[] }> = {
    'purchase-orders-csv.yaml': { entity: 'purchaseOrders', format: 'csv', cron: ['0 6 * * *'] },
    'invoices-x12-810.yaml': { entity: 'invoices', format: 'x12', cron: ['0 8-18 * * 1-5'] },
    'purchase-orders-x12-850.yaml': { entity: 'purchaseOrders', format: 'x12', cron: ['*/30 * * * *'] },
    'suppliers-csv.yaml': { entity: 'suppliers', format: 'csv', cron: ['30 1 * * *'] },
    'journal-lines-fixed-width.yaml': {
      entity: 'journalLines',
      format: 'fixedWidth',
      cron: ['*/15 * * * 1-5', '0 * 1-3 * *'],
    },
  };
  for (const [file, want] of Object.entries(expected)) {
    it(`${file} loads and is a ${want.entity} ${want.format} integration on its schedule`, () => {
      const [integration, ...rest] = example(file).integrations;
      assert.equal(rest.length, 0);
      assert.equal(integration!.entity, want.entity);
      assert.equal(integration!.format.type, want.format);
      assert.deepEqual(integration!.schedule?.cron, want.cron);
    });
  }

  it('the PO example writes an H row and L rows per order, pipe-delimited', () => {
    const integration = example('purchase-orders-csv.yaml').integrations[0]!;
    const renderer = rendererFor(integration, envelope);
    const text = renderer.begin() + renderer.record(purchaseOrder()) + renderer.end();
    const rows = text.trimEnd().split('\r\n');
    assert.equal(rows[0], 'Record|Order|Order Date|Supplier|Supplier Site|Buyer|Currency|Ordered|Status');
    assert.ok(rows[1]!.startsWith('Record|Order|Line|'));
    assert.ok(rows[2]!.startsWith('H|'));
    assert.ok(rows.slice(3).every((r) => r.startsWith('L|')));
    assert.equal(rows.length - 3, purchaseOrder().lines.length);
  });
});

describe('checked at load', () => {
  it('a file name template: known placeholders, one plain name, and {run}', () => {
    const template = (t: string) =>
      problems(
        withIntegration((i) => {
          i.sftp.fileNameTemplate = t;
        }),
      );
    const placeholders =
      'the placeholders are {integration} {entity} {yyyy} {MM} {dd} {HH} {mm} {ss} {run} {ext}';
    assert.deepEqual(template('GL_{date}_{run}.{ext}'), [
      `integrations[0].sftp.fileNameTemplate: unknown placeholder {date}; ${placeholders}`,
    ]);
    assert.deepEqual(template('out/GL_{run}.{ext}'), [
      `integrations[0].sftp.fileNameTemplate: no path separators (/ or \\): the folder is sftp.folder; ${placeholders}`,
    ]);
    assert.deepEqual(template('..{run}.{ext}'), [
      `integrations[0].sftp.fileNameTemplate: no ".."; ${placeholders}`,
    ]);
    assert.deepEqual(template('GL_{yyyy}{MM}{dd}.{ext}'), [
      `integrations[0].sftp.fileNameTemplate: must contain {run}, which keeps every file name unique; ${placeholders}`,
    ]);
    assert.deepEqual(template('.GL_{run}'), [
      `integrations[0].sftp.fileNameTemplate: may not start with "." (the prefix of temporary names); ${placeholders}`,
    ]);
    assert.deepEqual(template('GL {run}.{ext}'), [
      `integrations[0].sftp.fileNameTemplate: only letters, digits, ".", "_" and "-" outside placeholders; ${placeholders}`,
    ]);
    assert.equal(
      parseConfig(
        withIntegration((i) => {
          i.sftp.fileNameTemplate = 'GL-{entity}.{run}.{ext}';
        }),
      ).integrations[0]!.sftp.fileNameTemplate,
      'GL-{entity}.{run}.{ext}',
    );
  });

  it('an unknown field in a fixed-width layout: at its source, with the closest field and all of them', () => {
    const found = problems(
      withIntegration((i) => {
        i.format.detail.fields[3].source = 'acountCombination';
      }),
    );
    assert.equal(found.length, 1);
    assert.ok(
      found[0]!.startsWith(
        'integrations[0].format.detail.fields[3].source: unknown journalLines field "acountCombination" (did you mean "accountCombination"?); the journalLines fields are recordId, version,',
      ),
      found[0],
    );
    assert.ok(found[0]!.endsWith('segment:company, segment:costCentre, segment:account, segment:subAccount'));
  });

  it('an unknown field in CSV header or line columns: at its column', () => {
    const raw = structuredClone(example('purchase-orders-csv.yaml')) as unknown as {
      integrations: { format: { lineColumns: { field?: string }[] } }[];
    };
    raw.integrations[0]!.format.lineColumns[2]!.field = 'line.lineNumbr';
    const found = problems(raw);
    assert.equal(found.length, 1);
    assert.match(
      found[0]!,
      /^integrations\[0\]\.format\.lineColumns\[2\]\.field: unknown purchaseOrders field "line\.lineNumbr" \(did you mean "line\.lineNumber"\?\); the purchaseOrders fields are /,
    );
  });

  it('X12 ISA01–ISA04 come from authorization and security', () => {
    const integration = example('invoices-x12-810.yaml').integrations[0]!;
    const format = {
      ...integration.format,
      authorization: { qualifier: '03', information: 'AUTH123' },
      security: { qualifier: '01', information: 'PASSWD' },
    };
    const raw = { integrations: [{ ...integration, format }] };
    const parsed = parseConfig(raw).integrations[0]!;
    const renderer = rendererFor({ ...parsed, entity: 'purchaseOrders' as const }, envelope);
    const text = renderer.begin() + renderer.record(purchaseOrder()) + renderer.end();
    const isa = (new X12Parser(true).parse(text) as X12Interchange).header.elements.map(
      (e: { value: string }) => e.value,
    );
    assert.deepEqual(isa.slice(0, 4), ['03', 'AUTH123   ', '01', 'PASSWD    ']);
    const found = problems({
      integrations: [{ ...integration, format: { ...format, security: { qualifier: 'x', informaton: '' } } }],
    });
    assert.ok(
      found.includes(
        'integrations[0].format.security.qualifier: must be 2 upper-case letters or digits, e.g. 00',
      ),
    );
    assert.ok(
      found.includes(
        'integrations[0].format.security: unknown key "informaton" (did you mean "information"?)',
      ),
    );
  });
});
