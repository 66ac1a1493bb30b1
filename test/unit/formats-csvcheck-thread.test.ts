import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvFormatSchema, csvLayout } from '../../src/config/formats';
import { csvRenderer } from '../../src/formats/fileRenderer';
import { csvStreamValidator } from '../../src/formats/validate/csvStream';
import {
  checkThreadsRunning,
  largeFileCsvCheck,
  threadedCsvCheck,
} from '../../src/formats/validate/csvStreamThread';
import { FileValidationError } from '../../src/formats/validate/result';
import { renderRecords } from '../../src/pipeline';
import { journalLine } from './formats-fixtures';

// A large file's CSV check runs the same validator on a thread of its own: the same verdicts as
// in line, back-pressure on the writer, and no thread left behind when the render stops early.

const coa = { delimiter: '-', segments: ['company', 'costCentre', 'account', 'subAccount'] };
const layout = () => csvLayout('journalLines', csvFormatSchema.parse({ type: 'csv' }), coa);
const expected = { delimiter: ',', bom: false, headerRows: [['a', 'b', 'c']], columns: 3 };

/** Pages of n journal lines, 500 a page, as the render reads them from staging. */
async function* pages(n: number) {
  for (let from = 0; from < n; from += 500) {
    yield Array.from({ length: Math.min(500, n - from) }, (_, i) => ({
      seq: from + i,
      record: journalLine({ recordId: `3000001:${from + i}`, description: `line ${from + i}, "quoted"` }),
    }));
  }
}

const workerThreads = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;

describe('the CSV check on its own thread', () => {
  it('passes a file of 30,000 journal lines rendered through the pipeline, as the in-line check does', async () => {
    const texts: string[] = [];
    const emit = {
      emit: async (t: string) => void texts.push(t),
      reject: async () => assert.fail('rejected'),
    };
    const threaded = await renderRecords(
      csvRenderer('journalLines', layout(), threadedCsvCheck),
      'csv',
      pages(30_000),
      emit,
    );
    const inline = await renderRecords(csvRenderer('journalLines', layout()), 'csv', pages(30_000), {
      ...emit,
      emit: async () => undefined,
    });
    assert.equal(threaded, 30_000);
    assert.equal(inline, 30_000);
    assert.ok(texts.join('').length > 8 * 256 * 1024, 'more text than the batches allowed in flight');
  });

  it('finds what the in-line check finds: a wrong header, a short row, a count that does not add up', async () => {
    const text = `a,b,x\r\n1,2,3\r\n${'4,5,6\r\n'.repeat(100_000)}7,8\r\n"open,9\r\n`;
    const run = async (check: ReturnType<typeof csvStreamValidator>) => {
      for (let at = 0; at < text.length; at += 4096) await check.push(text.slice(at, at + 4096));
      return check.finish(100_001);
    };
    const inline = await run(csvStreamValidator(expected));
    assert.equal(inline.ok, false);
    assert.deepEqual(await run(threadedCsvCheck(expected)), inline);
  });

  it('makes the writer wait while the thread is behind, instead of queueing the file', async () => {
    const check = threadedCsvCheck(expected);
    const row = `${'x'.repeat(1000)},y,z\r\n`;
    let waited = 0;
    for (let i = 0; i < 5000; i++) {
      const wait = check.push(row);
      if (wait) {
        waited++;
        await wait;
      }
    }
    assert.ok(waited > 0, 'the writer was held back at least once');
    const result = await check.finish(4999); // the first row stands where the header should
    assert.deepEqual(result.problems, ['header row 1 is not the configured header']);
  });

  it('a render that fails midway ends the thread (abandon), and its error is the render’s', async () => {
    const before = workerThreads();
    async function* failing() {
      yield* pages(25_000);
      throw new Error('staging read failed');
    }
    await assert.rejects(
      renderRecords(csvRenderer('journalLines', layout(), threadedCsvCheck), 'csv', failing(), {
        emit: async () => undefined,
        reject: async () => undefined,
      }),
      /staging read failed/,
    );
    for (let i = 0; i < 50 && workerThreads() > before; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(workerThreads(), before);
  });

  it('one check thread at a time: a second large file while the first is checked is checked in line', async () => {
    // A thread an earlier test abandoned frees its slot at its exit, which can come a little
    // after its port has closed: start once no check thread runs.
    for (let i = 0; i < 50 && checkThreadsRunning() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(checkThreadsRunning(), 0, 'no check thread left from an earlier test');
    const before = workerThreads();
    const first = largeFileCsvCheck(expected);
    const second = largeFileCsvCheck(expected);
    assert.equal(workerThreads(), before + 1, 'one thread');
    assert.equal(typeof first.abandon, 'function', 'the first on the thread');
    assert.equal(second.abandon, undefined, 'the second in line');
    for (const check of [first, second]) {
      await check.push('a,b,c\r\n1,2,3\r\n');
      assert.deepEqual(await check.finish(1), { ok: true, problems: [] });
    }
    const third = largeFileCsvCheck(expected);
    assert.equal(typeof third.abandon, 'function', 'the thread is free again once the first finished');
    third.abandon?.();
  });

  it('a file the check rejects is refused with the check’s problems', async () => {
    const renderer = csvRenderer('journalLines', layout(), (e) =>
      threadedCsvCheck({ ...e, headerRows: [['not', 'the', 'header']] }),
    );
    await assert.rejects(
      renderRecords(renderer, 'csv', pages(1000), {
        emit: async () => undefined,
        reject: async () => undefined,
      }),
      (err: unknown) => err instanceof FileValidationError && /header row 1/.test(String(err)),
    );
  });
});
