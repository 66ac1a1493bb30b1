import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guardDocument, MAX_EXTRA_DEPTH, MAX_ROWS, MAX_STRING_BYTES } from '../../src/fusion/entities/guard';

// The shape check before mapping: each limit stops the walk at the place that crossed it.

const children = [{ name: 'journalHeaders', children: [{ name: 'journalLines' }] }];
const batch = (lines: unknown[]) => ({
  JeBatchId: 1,
  journalHeaders: [{ JeHeaderId: 2, journalLines: lines }],
});

describe('guardDocument', () => {
  it('passes a well-formed document with strings, numbers, nulls and lists of plain values', () => {
    const doc = batch([
      { JeLineNumber: 1, Description: 'é "x"', Tags: ['a', 'b', null, 3], EnteredDr: null },
    ]);
    assert.equal(guardDocument(doc, children), null);
  });

  it('names the field whose text takes the document past its byte limit, in a row or in a list', () => {
    const huge = 'x'.repeat(MAX_STRING_BYTES + 1);
    assert.deepEqual(guardDocument(batch([{ A: 'a' }, { B: huge, C: 'c' }]), children), {
      path: 'journalHeaders[0].journalLines[1].B',
      reason: `document text exceeds ${MAX_STRING_BYTES} bytes`,
    });
    assert.deepEqual(guardDocument(batch([{ Tags: ['short', huge, 'tail'] }]), children), {
      path: 'journalHeaders[0].journalLines[0].Tags[1]',
      reason: `document text exceeds ${MAX_STRING_BYTES} bytes`,
    });
  });

  it('counts text in UTF-8 bytes: a long ASCII text under the limit passes, multi-byte text over it does not', () => {
    // Past a third of the limit in characters the quick count (3 bytes each) no longer decides.
    const ascii = 'x'.repeat(Math.floor(MAX_STRING_BYTES / 2));
    assert.equal(guardDocument(batch([{ A: ascii }, { B: ascii.slice(0, 1000) }]), children), null);
    const accents = 'é'.repeat(Math.floor(MAX_STRING_BYTES / 4)); // 2 bytes each: half the limit
    assert.equal(guardDocument(batch([{ A: accents }]), children), null);
    assert.deepEqual(guardDocument(batch([{ A: accents }, { B: 'b', C: accents, D: 'd' }]), children), {
      path: 'journalHeaders[0].journalLines[1].C',
      reason: `document text exceeds ${MAX_STRING_BYTES} bytes`,
    });
    // Past the quick count's bound, the other checks still answer, at the same place.
    let deep: unknown = 'leaf';
    for (let i = 0; i <= MAX_EXTRA_DEPTH + 1; i++) deep = [deep];
    const problem = guardDocument(batch([{ A: ascii }, { Deep: deep }]), children);
    assert.match(problem?.reason ?? '', new RegExp(`nested deeper than ${MAX_EXTRA_DEPTH} levels`));
    assert.match(problem?.path ?? '', /^journalHeaders\[0\]\.journalLines\[1\]\.Deep(\[0\])+$/);
  });

  it('stops at too many rows and at nesting too deep below a row', () => {
    const many = batch(Array.from({ length: MAX_ROWS }, () => ({})));
    assert.match(guardDocument(many, children)?.reason ?? '', new RegExp(`more than ${MAX_ROWS} rows`));
    let deep: unknown = 'leaf';
    for (let i = 0; i <= MAX_EXTRA_DEPTH + 1; i++) deep = [deep];
    const problem = guardDocument(batch([{ Deep: deep }]), children);
    assert.match(problem?.reason ?? '', new RegExp(`nested deeper than ${MAX_EXTRA_DEPTH} levels`));
    assert.match(problem?.path ?? '', /^journalHeaders\[0\]\.journalLines\[0\]\.Deep(\[0\])+$/);
  });

  it('refuses a child collection that is not a list of rows', () => {
    assert.deepEqual(guardDocument({ journalHeaders: { JeHeaderId: 1 } }, children), {
      path: 'journalHeaders',
      reason: 'is not a list of rows',
    });
    assert.deepEqual(guardDocument({ journalHeaders: ['text'] }, children), {
      path: 'journalHeaders[0]',
      reason: 'is not a row',
    });
  });
});
