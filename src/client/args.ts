import { type ParseArgsConfig, parseArgs } from 'node:util';

// One CLI verb's arguments, parsed by node:util's parseArgs in strict mode: an unknown flag, a flag
// without its value, a missing or extra word is a usage error (exit code 2) before anything
// connects anywhere.

type Options = NonNullable<ParseArgsConfig['options']>;

/** A mistake in the command line itself: main prints it with the usage and exits with 2. */
export class UsageError extends Error {}

export interface VerbSpec<O extends Options> {
  options?: O;
  /** The words the verb takes, in order, as the usage names them. */
  positionals?: readonly string[];
  /** How many of `positionals` must be given; the rest may be left out. Default: all. */
  required?: number;
}

type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/**
 * Parses `args` (the words after the verb). Flags are named in a message; other words are not, as
 * one may be a value typed in the wrong place.
 */
export function parseVerbArgs<O extends Options = Record<never, never>>(
  verb: string,
  args: string[],
  spec: VerbSpec<O> = {},
): Parsed<O> {
  const options = (spec.options ?? {}) as O;
  const names = spec.positionals ?? [];
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch {
    throw new UsageError(`${verb}: ${whatIsWrong(args, options)}`);
  }
  const given = parsed.positionals.length;
  if (given < (spec.required ?? names.length)) throw new UsageError(`${verb}: missing <${names[given]}>`);
  if (given > names.length) {
    throw new UsageError(
      names.length === 0
        ? `${verb}: takes no arguments besides its options`
        : `${verb}: too many arguments (expected ${names.map((n) => `<${n}>`).join(' ')})`,
    );
  }
  return parsed;
}

/** Names the flag strict parsing refused, from a lenient pass over the same words. */
function whatIsWrong(args: string[], options: Options): string {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const known = options[token.name];
    if (!known) {
      const allowed = Object.keys(options).map((o) => `--${o}`);
      return `unknown option ${token.rawName}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`;
    }
    if (known.type === 'boolean' && token.value !== undefined) return `${token.rawName} takes no value`;
    if (
      known.type === 'string' &&
      (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))
    )
      return `${token.rawName} needs a value (one starting with - is written ${token.rawName}=…)`;
  }
  return 'invalid arguments';
}
