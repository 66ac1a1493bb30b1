import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseVerbArgs, UsageError } from '../../src/client/args';
import { parseResyncArgs, RESYNC_OPTIONS } from '../../src/client/operate';

// The CLI's argument parsing (node:util parseArgs, strict): each verb's flags, and a mistake in the
// command line as a usage error (exit code 2) naming the flag, never echoing any other word.

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message;
  }
  assert.fail('expected a UsageError');
}

const RESYNC = { positionals: ['integration'], options: RESYNC_OPTIONS } as const;

describe('CLI arguments', () => {
  it('reads flags and words in any order', () => {
    const { values, positionals } = parseVerbArgs(
      'resync',
      ['--reason', 'late fix', 'gl', '--since', '2026-10-01', '--window-hours=6', '--wait'],
      RESYNC,
    );
    assert.deepEqual(positionals, ['gl']);
    assert.deepEqual(parseResyncArgs(values), {
      mode: 'since',
      since: '2026-10-01',
      reason: 'late fix',
      windowHours: 6,
    });
    assert.equal(values.wait, true);
    const sync = parseVerbArgs('sync', ['--no-wait', 'gl'], {
      positionals: ['integration'],
      options: { 'no-wait': { type: 'boolean' } },
    });
    assert.deepEqual([sync.positionals, sync.values['no-wait']], [['gl'], true]);
  });

  it('builds each kind of resync request', () => {
    const resync = (...args: string[]) => parseResyncArgs(parseVerbArgs('resync', args, RESYNC).values);
    assert.deepEqual(resync('gl', '--all', '--reason', 'r'), { mode: 'all', reason: 'r' });
    assert.deepEqual(resync('gl', '--from', 'a', '--to', 'b', '--reason', 'r'), {
      mode: 'range',
      from: 'a',
      to: 'b',
      reason: 'r',
    });
    assert.deepEqual(resync('gl', '--records', '1:1, 2:1,', '--reason', 'r'), {
      mode: 'records',
      recordIds: ['1:1', '2:1'],
      reason: 'r',
    });
    assert.throws(() => resync('gl', '--all'), /resync needs --reason/);
    assert.throws(() => resync('gl', '--reason', 'r'), /resync needs one of --all/);
  });

  it('refuses an unknown flag, naming it and the allowed ones', () => {
    assert.equal(
      usageError(() =>
        parseVerbArgs('preview', ['gl', '--outt', 'x.csv'], {
          ...RESYNC,
          options: { out: { type: 'string' } },
        }),
      ),
      'preview: unknown option --outt (allowed: --out)',
    );
    assert.equal(
      usageError(() => parseVerbArgs('migrate', ['-f'])),
      'migrate: unknown option -f',
    );
  });

  it('refuses a flag without its value, and a value for a switch', () => {
    assert.match(
      usageError(() => parseVerbArgs('resync', ['gl', '--reason'], RESYNC)),
      /^resync: --reason needs a value/,
    );
    assert.match(
      usageError(() => parseVerbArgs('resync', ['gl', '--reason', '--wait'], RESYNC)),
      /^resync: --reason needs a value \(one starting with - is written --reason=…\)$/,
    );
    assert.equal(
      usageError(() => parseVerbArgs('resync', ['gl', '--wait=yes'], RESYNC)),
      'resync: --wait takes no value',
    );
  });

  it('refuses a missing or an extra word without echoing it', () => {
    const two = { positionals: ['integration', 'runKey'] } as const;
    assert.equal(
      usageError(() => parseVerbArgs('retry', ['gl'], two)),
      'retry: missing <runKey>',
    );
    const extra = usageError(() => parseVerbArgs('retry', ['gl', 'run-1', 'hunter2-s3cret'], two));
    assert.equal(extra, 'retry: too many arguments (expected <integration> <runKey>)');
    assert.equal(
      usageError(() => parseVerbArgs('migrate', ['now'])),
      'migrate: takes no arguments besides its options',
    );
    assert.deepEqual(
      parseVerbArgs('failures', [], { positionals: ['integration'], required: 0 }).positionals,
      [],
    );
    const unknown = usageError(() => parseVerbArgs('status', ['gl', '--token=hunter2-s3cret']));
    assert.equal(unknown, 'status: unknown option --token');
  });

  it('exits with 2 and the usage on a command-line mistake, before connecting anywhere', () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/client/main.ts'), ...args], {
        // Nothing to connect to: a usage error must come first.
        env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
        encoding: 'utf8',
      });
    const unknown = cli('sync', 'gl', '--nowait');
    assert.equal(unknown.status, 2, unknown.stderr);
    assert.match(
      unknown.stderr,
      /^ml-connector sync: unknown option --nowait \(allowed: --no-wait\)\n\nusage: /,
    );
    const missing = cli('ledger');
    assert.equal(missing.status, 2, missing.stderr);
    assert.match(missing.stderr, /^ml-connector ledger: missing <integration>/);
    const noCommand = cli();
    assert.equal(noCommand.status, 2);
    assert.match(noCommand.stderr, /^usage: ml-connector <command>/);
  });
});
