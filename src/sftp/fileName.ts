import { SftpError } from './errors';

// Remote file names from a template, e.g. `GL_{yyyy}{MM}{dd}T{HH}{mm}{ss}Z_{run}.{ext}`. Every
// token's value is reduced to safe characters first, and the result must be one plain file name:
// no separators, no `..`, no leading dot (that is the temporary-name prefix).

export interface FileNameValues {
  integration: string;
  entity: string;
  /** The run's window end: the timestamp in the name. */
  at: Date;
  /** A short hash of the run key: two runs never share a name. */
  run: string;
  ext: string;
}

/** The placeholders a template may use (renderFileName fills each). */
export const FILE_NAME_TOKENS = [
  'integration',
  'entity',
  'yyyy',
  'MM',
  'dd',
  'HH',
  'mm',
  'ss',
  'run',
  'ext',
] as const;

export const DEFAULT_FILE_NAME_TEMPLATE = '{integration}_{yyyy}{MM}{dd}T{HH}{mm}{ss}Z_{run}.{ext}';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

/** A file name that cannot leave the folder: no separators, no leading dot, no control bytes. */
export function assertSafeFileName(name: string): void {
  if (!SAFE_NAME.test(name) || name.includes('..')) {
    throw new SftpError('conflict', `Unsafe remote file name: ${JSON.stringify(name)}`);
  }
}

function clean(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '-').replace(/\.{2,}/g, '.');
}

export function renderFileName(template: string, values: FileNameValues): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const t = values.at;
  const tokens: Record<string, string> = {
    integration: clean(values.integration),
    entity: clean(values.entity),
    run: clean(values.run),
    ext: clean(values.ext),
    yyyy: String(t.getUTCFullYear()),
    MM: pad(t.getUTCMonth() + 1),
    dd: pad(t.getUTCDate()),
    HH: pad(t.getUTCHours()),
    mm: pad(t.getUTCMinutes()),
    ss: pad(t.getUTCSeconds()),
  };
  const name = template.replace(/\{([A-Za-z]+)\}/g, (whole, token: string) => {
    const value = tokens[token];
    if (value === undefined)
      throw new SftpError('conflict', `Unknown token ${whole} in the file name template`);
    return value;
  });
  assertSafeFileName(name);
  return name;
}
