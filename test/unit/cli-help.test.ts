import assert from 'node:assert/strict';
import { it } from 'node:test';
import { run } from '../../src/client/main';
import { CREDENTIALS_USAGE } from '../../src/credentials';

// `--help` is an answer, not a mistake: exit 0 with the usage on stdout, for the credentials
// verbs too (they parse their own arguments), and before any database is needed.

async function captured(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = await run(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

it('credentials --help, credentials help and credentials set --help print its usage and exit 0', async () => {
  const saved = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL; // no database: help must not need one
  try {
    for (const argv of [
      ['credentials', '--help'],
      ['credentials', 'help'],
      ['credentials', 'set', '--help'],
    ]) {
      const r = await captured(argv);
      assert.equal(r.code, 0, argv.join(' '));
      assert.equal(r.out, CREDENTIALS_USAGE, argv.join(' '));
      assert.equal(r.err, '');
    }
    // An unknown verb is still a usage mistake.
    const wrong = await captured(['credentials', 'sett']);
    assert.equal(wrong.code, 2);
  } finally {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
  }
});
