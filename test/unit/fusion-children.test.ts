import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedWidthFormatSchema, formatFieldUse } from '../../src/config/formats';
import { entityReaders } from '../../src/fusion';
import { childrenToRead } from '../../src/fusion/children';
import { frameworkLimitations } from '../../src/fusion/framework';

describe('the child collections a format needs', () => {
  const po = entityReaders.purchaseOrders.spec.children;

  it('POs: lines always; schedules and distributions only for fields or a detail level that hold them', () => {
    assert.deepEqual(
      childrenToRead('purchaseOrders', po, { fields: ['orderNumber', 'line.item'], levels: [] }),
      [{ name: 'lines', children: [] }],
    );
    assert.deepEqual(
      childrenToRead('purchaseOrders', po, { fields: ['line.schedule.needByDate'], levels: [] }),
      [{ name: 'lines', children: [{ name: 'schedules', children: [] }] }],
    );
    assert.deepEqual(childrenToRead('purchaseOrders', po, { fields: [], levels: ['distribution'] }), po);
  });

  it('an override names the optional children exactly', () => {
    const inv = entityReaders.invoices.spec.children;
    assert.deepEqual(
      childrenToRead('invoices', inv, { fields: ['line.distribution.distributionAmount'], levels: [] }, []),
      [{ name: 'invoiceLines', children: [] }],
    );
    assert.deepEqual(
      childrenToRead('suppliers', entityReaders.suppliers.spec.children, { fields: [], levels: [] }, [
        'contacts',
      ]),
      [{ name: 'sites' }, { name: 'contacts' }],
    );
    // Journals have no optional children: headers and lines always come.
    const journals = entityReaders.journalLines.spec.children;
    assert.deepEqual(childrenToRead('journalLines', journals, { fields: [], levels: [] }, []), journals);
  });

  it('a fixed-width layout is read for its sources and its detail level', () => {
    const format = fixedWidthFormatSchema.parse({
      type: 'fixedWidth',
      detailPer: 'distribution',
      detail: {
        fields: [
          { name: 'amount', type: 'amount', width: 12, source: 'line.distribution.distributionAmount' },
        ],
      },
    });
    assert.deepEqual(formatFieldUse('invoices', format), {
      fields: ['line.distribution.distributionAmount'],
      levels: ['distribution'],
    });
  });
});

describe('what a framework version cannot detect', () => {
  it('version 1 says so; 2 and later have no detection gap', () => {
    const v1 = frameworkLimitations(1).join(' ');
    assert.match(v1, /paged by offset/);
    assert.match(v1, /change only to a child/);
    assert.deepEqual(frameworkLimitations(2), []);
    assert.deepEqual(frameworkLimitations(4), []);
  });
});
