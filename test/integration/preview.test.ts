import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SshdInstance } from '../../dev/sshd';
import { buildIntegrations } from '../../src/integrations';
import { previewNextFile } from '../../src/preview';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';
import { sync } from '../support/sync';

// Preview is the next file by construction (src/pipeline): for every format, the text preview
// shows is byte for byte the file the next sync delivers — but for X12 control numbers, which
// preview does not draw (placeholders), and with a journal that must be held and a record the
// format cannot write, so the quarantine rules are exercised too.

const x12 = {
  type: 'x12',
  partnerId: 'preview-partner',
  interchangeSender: { qualifier: 'ZZ', id: 'MLCONNECTOR' },
  interchangeReceiver: { qualifier: '01', id: '123456789' },
  applicationSender: 'MLCONNECTOR',
  applicationReceiver: 'ACMEAP',
  usage: 'T',
  delimiterPolicy: 'clean',
  nonAscii: 'reject',
};

const fixedWidth = {
  type: 'fixedWidth',
  lineEnding: 'crlf',
  nonAscii: 'reject',
  detail: {
    fields: [
      { name: 'type', type: 'literal', value: 'D', width: 1 },
      { name: 'journal', type: 'alpha', source: 'journalName', width: 30 },
      { name: 'line', type: 'numeric', source: 'lineNumber', width: 4 },
      { name: 'account', type: 'alpha', source: 'accountCombination', width: 20 },
      { name: 'dr', type: 'amount', source: 'enteredDr', width: 18, impliedDecimals: 2 },
    ],
  },
  trailer: {
    fields: [
      { name: 'type', type: 'literal', value: 'T', width: 1 },
      { name: 'count', type: 'count', count: 'records', width: 8 },
    ],
  },
};

const CASES = [
  { id: 'preview-csv', entity: 'journalLines' },
  { id: 'preview-fixed', entity: 'journalLines', format: fixedWidth },
  { id: 'preview-810', entity: 'invoices', format: x12 },
  { id: 'preview-suppliers', entity: 'suppliers' },
] as const;

/** X12 with its control numbers and the envelope's date and time blanked (preview draws none). */
function withoutControlNumbers(text: string): string {
  return text
    .split('~')
    .map((segment) => {
      const lead = /^\s*/.exec(segment)![0]; // segments end in ~ and a line break
      const e = segment.slice(lead.length).split('*');
      const blank = (...at: number[]) => lead + e.map((v, i) => (at.includes(i) ? '' : v)).join('*');
      if (e[0] === 'ISA') return blank(9, 10, 13);
      if (e[0] === 'GS') return blank(4, 5, 6);
      if (['ST', 'SE', 'GE', 'IEA'].includes(e[0]!)) return blank(2);
      return segment;
    })
    .join('~');
}

describe('preview is the next file, for every format', () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };

  before(async () => {
    stack = await startTestStack({
      integrations: (simUrl: string, sshd: SshdInstance) =>
        CASES.map((c) => ({
          ...integrationConfig(simUrl, sshd, c.id),
          entity: c.entity,
          ...('format' in c ? { format: c.format } : {}),
        })),
    });
    worker = await startWorker(stack);
    // An unbalanced journal (held by the page rules) and a line X12/fixed-width cannot carry.
    stack.sim.journals.createJournal({
      batchName: 'Preview held',
      headers: [
        {
          journalName: 'Unbalanced',
          periodName: 'Nov-26',
          accountingDate: '2026-11-30',
          lines: [
            { accountCombination: '101-10-60010-000', enteredDr: '10.00' },
            { accountCombination: '101-10-21000-000', enteredCr: '9.99' },
          ],
        },
      ],
    });
  });
  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  for (const c of CASES) {
    it(`${c.id}: the preview's bytes are the delivered file's`, async () => {
      const rt = buildIntegrations(stack.config, stack.secrets).get(c.id)!;
      let preview: Awaited<ReturnType<typeof previewNextFile>>;
      try {
        preview = await previewNextFile(stack.ledger, rt);
      } finally {
        await rt.fusion.close();
      }
      const result = await sync(stack, c.id);
      assert.ok(result.file, 'the sync delivered a file');
      assert.ok(preview.wouldSend > 0);
      assert.equal(preview.wouldSend, result.sent);
      assert.equal(preview.quarantined.length, result.quarantined, 'the same records held back');
      const delivered = readFileSync(join(stack.sshd.folder, result.file.fileName), 'utf8');
      if ('format' in c && c.format.type === 'x12') {
        assert.equal(withoutControlNumbers(preview.text), withoutControlNumbers(delivered));
        assert.notEqual(preview.text, delivered, 'preview draws no control numbers');
      } else {
        assert.equal(preview.text, delivered);
        assert.equal(preview.file?.sha256, result.file.sha256);
      }
    });
  }
});
