import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CredentialError } from './errors';
import { CREDENTIAL_KINDS, type CredentialStore, isCredentialKind } from './store';

// `ml-connector credentials set|list|rotate|delete`, as plain functions over a store, arguments
// (the words after the verb) and io, returning the exit code. A value is read from stdin or a
// file, never from argv: every user on the host can read a process's command line.

export interface CliIo {
  stdin: AsyncIterable<Buffer | string> & { isTTY?: boolean };
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  readFile?: (path: string) => Promise<Buffer>;
}

export type CredentialsCommand = (store: CredentialStore, args: string[], io: CliIo) => Promise<number>;

export const CREDENTIALS_USAGE = `usage:
  ml-connector credentials set <name> --kind <kind> [--from-file <path>]   value from the file, else stdin
  ml-connector credentials list                                            names, kinds, key IDs, never values
  ml-connector credentials rotate                                          re-seal every value under the active key
  ml-connector credentials delete <name>
kinds: ${CREDENTIAL_KINDS.join(', ')}
A value is never taken from the command line. From stdin, one trailing line break is dropped,
except for key kinds (*-private-key, *-public-key), which are stored byte for byte.
`;

const MAX_VALUE_BYTES = 1024 * 1024;
const KEY_KINDS = new Set(['sftp-private-key', 'pgp-public-key', 'pgp-private-key']);

class UsageError extends Error {}

/** Parses options without ever echoing an argument: a misplaced value would end up in the message. */
function parse<O extends Record<string, { type: 'string' }>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch {
    const allowed = Object.keys(options).map((o) => `--${o}`);
    throw new UsageError(
      `unknown or incomplete option${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`,
    );
  }
}

function onePositional(positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`missing ${what}`);
  if (positionals.length > 1) {
    throw new UsageError(
      `expected only ${what}; a value is never accepted on the command line (pipe it on stdin or use --from-file)`,
    );
  }
  return positionals[0]!;
}

async function readValue(source: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_VALUE_BYTES)
      throw new UsageError('the value is larger than 1 MiB; is that the right input?');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

async function run(io: CliIo, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`credentials: ${err.message}\n\n${CREDENTIALS_USAGE}`);
      return 2;
    }
    if (err instanceof CredentialError) {
      io.stderr.write(`credentials: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

export const credentialsSet: CredentialsCommand = (store, args, io) =>
  run(io, async () => {
    const { values, positionals } = parse(args, {
      kind: { type: 'string' },
      'from-file': { type: 'string' },
    });
    const name = onePositional(positionals, 'the credential name');
    // The kind is not echoed either: `--kind <the secret>` is an easy slip.
    if (!values.kind || !isCredentialKind(values.kind))
      throw new UsageError('--kind must be one of the kinds below');
    const kind = values.kind;
    let raw: Buffer;
    if (values['from-file']) {
      const path = values['from-file'];
      try {
        raw = await (io.readFile ?? readFile)(path);
      } catch (err) {
        throw new UsageError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (raw.length > MAX_VALUE_BYTES)
        throw new UsageError('the file is larger than 1 MiB; is that the right file?');
    } else {
      // A terminal would echo the value on screen and keep it in the scrollback.
      if (io.stdin.isTTY)
        throw new UsageError('pipe the value in on stdin (not typed at a terminal) or use --from-file');
      raw = await readValue(io.stdin);
    }
    let value = raw.toString('utf8');
    raw.fill(0);
    if (!KEY_KINDS.has(kind)) value = value.replace(/\r?\n$/, '');
    if (value === '') throw new UsageError('the value is empty');
    await store.set(name, kind, value);
    io.stdout.write(`Stored credential ${name} (${kind}).\n`);
    return 0;
  });

export const credentialsList: CredentialsCommand = (store, args, io) =>
  run(io, async () => {
    const { positionals } = parse(args, {});
    if (positionals.length) throw new UsageError('list takes no arguments');
    const rows = await store.list();
    if (rows.length === 0) {
      io.stdout.write('No credentials stored.\n');
      return 0;
    }
    const header = { name: 'NAME', kind: 'KIND', keyId: 'KEY', updatedAt: 'UPDATED' };
    const all = [header, ...rows];
    const width = (k: keyof typeof header) => Math.max(...all.map((r) => r[k].length));
    const [wName, wKind, wKey] = [width('name'), width('kind'), width('keyId')];
    for (const r of all) {
      io.stdout.write(
        `${r.name.padEnd(wName)}  ${r.kind.padEnd(wKind)}  ${r.keyId.padEnd(wKey)}  ${r.updatedAt}\n`,
      );
    }
    return 0;
  });

export const credentialsRotate: CredentialsCommand = (store, args, io) =>
  run(io, async () => {
    const { positionals } = parse(args, {});
    if (positionals.length) throw new UsageError('rotate takes no arguments');
    const { reencrypted } = await store.rotate();
    io.stdout.write(
      reencrypted === 0
        ? 'Every credential is already under the active key.\n'
        : `Re-encrypted ${reencrypted} credential(s) under the active key.\n`,
    );
    return 0;
  });

export const credentialsDelete: CredentialsCommand = (store, args, io) =>
  run(io, async () => {
    const { positionals } = parse(args, {});
    const name = onePositional(positionals, 'the credential name');
    if (!(await store.delete(name))) {
      io.stderr.write(`credentials: no credential named "${name}"\n`);
      return 1;
    }
    io.stdout.write(`Deleted credential ${name}.\n`);
    return 0;
  });

/** Verb → command, for the client's dispatcher. */
export const credentialsCommands: Record<'set' | 'list' | 'rotate' | 'delete', CredentialsCommand> = {
  set: credentialsSet,
  list: credentialsList,
  rotate: credentialsRotate,
  delete: credentialsDelete,
};
