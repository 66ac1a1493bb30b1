import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyListing, type LedgerFile } from '../../src/audit';

// Reconciliation is a pure function of the ledger's files and a folder listing.

const HASH = (c: string) => c.repeat(64);

function ledgerFile(fileName: string, overrides: Partial<LedgerFile> = {}): LedgerFile {
  return {
    fileName,
    remotePath: `/out/${fileName}`,
    bytes: 100,
    sha256: HASH('a'),
    status: 'committed',
    committedAt: '2026-11-01T10:00:00.000Z',
    ...overrides,
  };
}

describe('classifyListing', () => {
  it('sorts every file into matched, missing, altered, extra and pending', () => {
    const ledger = [
      ledgerFile('same.csv'),
      ledgerFile('gone.csv'),
      ledgerFile('resized.csv'),
      ledgerFile('rewritten.csv'),
      ledgerFile('awaiting-commit.csv', { status: 'uploaded', committedAt: null }),
      ledgerFile('never-delivered.csv', { status: 'rendered', committedAt: null }),
    ];
    const remote = [
      { name: 'same.csv', size: 100, sha256: HASH('a') },
      { name: 'resized.csv', size: 99, sha256: HASH('a') },
      { name: 'rewritten.csv', size: 100, sha256: HASH('b') },
      { name: 'awaiting-commit.csv', size: 100, sha256: HASH('a') },
      { name: 'stranger.csv', size: 5, sha256: HASH('c'), modifiedAt: '2026-11-02T00:00:00.000Z' },
    ];
    const r = classifyListing(ledger, remote);
    assert.deepEqual(
      r.matched.map((m) => [m.fileName, m.verifiedBy]),
      [['same.csv', 'sha256']],
    );
    assert.deepEqual(
      r.missing.map((m) => m.fileName),
      ['gone.csv'],
      'only committed files can be missing',
    );
    assert.deepEqual(
      r.altered.map((a) => [a.fileName, a.difference, a.remoteSize, a.remoteSha256]),
      [
        ['resized.csv', 'size', 99, HASH('a')],
        ['rewritten.csv', 'sha256', 100, HASH('b')],
      ],
    );
    assert.deepEqual(r.extra, [remote[4]], 'the remote entry is passed through whole');
    assert.deepEqual(
      r.pending.map((p) => [p.fileName, p.status]),
      [['awaiting-commit.csv', 'uploaded']],
    );
  });

  it('ignores the .sha256 and .done sidecars of known files, not those of unknown ones', () => {
    const r = classifyListing(
      [ledgerFile('a.csv'), ledgerFile('b.csv')],
      [
        { name: 'a.csv', size: 100 },
        { name: 'a.csv.sha256', size: 73 },
        { name: 'a.csv.done', size: 0 },
        { name: 'b.csv.done', size: 0 }, // b itself was picked up; its marker stayed
        { name: 'c.csv.done', size: 0 },
        { name: 'a.csv.bak', size: 100 },
      ],
    );
    assert.deepEqual(
      r.extra.map((e) => e.name),
      ['a.csv.bak', 'c.csv.done'],
    );
    assert.deepEqual(
      r.missing.map((m) => m.fileName),
      ['b.csv'],
    );
  });

  it('without hashes compares sizes only, and says so', () => {
    const r = classifyListing(
      [ledgerFile('a.csv'), ledgerFile('b.csv')],
      [
        { name: 'a.csv', size: 100 },
        { name: 'b.csv', size: 101 },
      ],
    );
    assert.deepEqual(
      r.matched.map((m) => [m.fileName, m.verifiedBy]),
      [['a.csv', 'size']],
    );
    assert.deepEqual(
      r.altered.map((a) => [a.fileName, a.difference, a.remoteSha256]),
      [['b.csv', 'size', null]],
    );
  });

  it('compares hex digests case-insensitively', () => {
    const r = classifyListing(
      [ledgerFile('a.csv', { sha256: HASH('ab') })],
      [{ name: 'a.csv', size: 100, sha256: HASH('AB') }],
    );
    assert.equal(r.matched.length, 1);
    assert.equal(r.altered.length, 0);
  });

  it('an empty folder makes every committed file missing; an empty ledger makes everything extra', () => {
    assert.deepEqual(
      classifyListing([ledgerFile('a.csv')], []).missing.map((m) => m.fileName),
      ['a.csv'],
    );
    assert.deepEqual(classifyListing([], [{ name: 'a.csv.done', size: 0 }]).extra, [
      { name: 'a.csv.done', size: 0 },
    ]);
  });
});
