import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { alertsSchema } from '../alerts/schema';
import { LayoutError } from '../formats/errors';
import { OPTIONAL_CHILDREN } from '../fusion/children';
import { DEFAULT_FILE_NAME_TEMPLATE, FILE_NAME_TOKENS, renderFileName } from '../sftp/fileName';
import { RETRY_AFTER_CEILING_SECONDS } from '../shared/retryAfter';
import { closestKey } from './errors';
import { csvFormatSchema, formatSchema, layoutFieldIssues, rendererFor, SAMPLE_ENVELOPE } from './formats';

// One schema for the configuration file. Secrets are never in the file: the file names the
// environment variable (or file) that holds each one, and the worker reads it at start.

const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (A-Z, 0-9, _), not the secret');

const credentialName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a stored credential name');

/** A secret is named, never written: `<x>Env` (a variable) or `<x>Credential` (the encrypted store). */
function exactlyOne(
  obj: Record<string, unknown>,
  keys: string[],
  ctx: z.RefinementCtx,
  required = true,
): void {
  const set = keys.filter((k) => obj[k] !== undefined);
  if (set.length > 1 || (required && set.length === 0)) {
    ctx.addIssue({ code: 'custom', path: [keys[0]!], message: `set exactly one of ${keys.join(', ')}` });
  }
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** 127.0.0.0/8, ::1 and localhost: plain http there never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * A URL that carries a credential (the client secret, a token, a password): https, or plain http
 * to a loopback address only, and no user or password in it.
 */
const credentialUrl = httpUrl.superRefine((text, ctx) => {
  // Refinements run even when the URL check failed: that failure is already reported.
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url) return;
  if (url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: 'must not hold a user or password' });
  } else if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    ctx.addIssue({
      code: 'custom',
      message: `must be https: plain http (to ${url.host}) would send the credentials in clear; only a loopback address may use http`,
    });
  }
});

/**
 * A file name template is checked at load: only known placeholders, only characters a plain file
 * name may hold (no path separators, no `..`, no leading dot), and {run}, without which a re-run
 * of the same window would get the same name as the first file.
 */
const fileNameTemplate = z
  .string()
  .min(1)
  .superRefine((template, ctx) => {
    const known: readonly string[] = FILE_NAME_TOKENS;
    const problems: string[] = [];
    for (const [, token] of template.matchAll(/\{([^{}]*)\}/g)) {
      if (!known.includes(token!)) problems.push(`unknown placeholder {${token}}`);
    }
    const literal = template.replace(/\{[^{}]*\}/g, 'x');
    if (/[/\\]/.test(literal)) problems.push('no path separators (/ or \\): the folder is sftp.folder');
    else if (template.includes('..')) problems.push('no ".."');
    else if (template.startsWith('.'))
      problems.push('may not start with "." (the prefix of temporary names)');
    else if (!/^[A-Za-z0-9._-]*$/.test(literal))
      problems.push('only letters, digits, ".", "_" and "-" outside placeholders');
    if (!template.includes('{run}')) problems.push('must contain {run}, which keeps every file name unique');
    if (problems.length === 0) {
      try {
        renderFileName(template, {
          integration: 'i',
          entity: 'e',
          at: new Date(0),
          run: '0a1b2c3d',
          ext: 'csv',
        });
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    for (const problem of problems) {
      ctx.addIssue({
        code: 'custom',
        message: `${problem}; the placeholders are ${known.map((t) => `{${t}}`).join(' ')}`,
      });
    }
  });

/** An outbound proxy's address: `<scheme>//host:port` and nothing else (its user and password are set apart). */
function checkProxyUrl(text: string, protocols: readonly string[], ctx: z.RefinementCtx): void {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  const form = protocols.map((p) => `${p}//host:port`).join(' or ');
  if (!url || !protocols.includes(url.protocol) || !url.hostname) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: `must be a proxy URL ${form}` });
  } else if (url.username || url.password) {
    ctx.addIssue({
      code: 'custom',
      path: ['url'],
      message: 'must not hold a user or password: set username and passwordEnv or passwordCredential',
    });
  } else if (!url.port || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: `must be ${form} with the port, nothing more` });
  }
}

/** A proxy's optional login: a user name and its password, named like every other secret. */
const proxyLogin = {
  username: z.string().min(1).optional(),
  passwordEnv: envVarName.optional(),
  passwordCredential: credentialName.optional(),
};

function checkProxyLogin(
  p: { username?: string; passwordEnv?: string; passwordCredential?: string },
  ctx: z.RefinementCtx,
): void {
  if (p.username !== undefined) exactlyOne(p, ['passwordEnv', 'passwordCredential'], ctx);
  else if (p.passwordEnv !== undefined || p.passwordCredential !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['username'], message: 'a proxy password needs a username' });
  }
}

/** Fusion calls (the token request too) through this HTTP proxy; wins over HTTPS_PROXY / NO_PROXY. */
const fusionProxySchema = z.strictObject({ url: z.string(), ...proxyLogin }).superRefine((p, ctx) => {
  checkProxyUrl(p.url, ['http:', 'https:'], ctx);
  checkProxyLogin(p, ctx);
});

/** Bounds on what Fusion's answers may cost; see FusionLimits in src/fusion/client.ts. */
const fusionLimitsSchema = z.strictObject({
  /** One response body, in bytes (default 64 MiB). */
  maxResponseBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .optional(),
  /** Pages of one collection (default 10,000). */
  maxPagesPerCollection: z.number().int().min(1).optional(),
  /** Pages of one change window (default 100,000). */
  maxPagesPerWindow: z.number().int().min(1).optional(),
  /** Child rows of one document (default 100,000). */
  maxRowsPerDocument: z.number().int().min(1).optional(),
  /** A longer Retry-After is read as this (default 900 = 15 minutes; at most one hour). */
  maxRetryAfterSeconds: z.number().int().min(1).max(RETRY_AFTER_CEILING_SECONDS).optional(),
  /** Without parallelPages: the most requests at once the adaptive limit may reach (default 8). */
  maxParallelPages: z.number().int().min(1).max(16).optional(),
});

const fusionOAuth = z.strictObject({
  type: z.literal('oauth'),
  /** OAuth token endpoint of the identity domain, e.g. https://idcs-…/oauth2/v1/token */
  tokenUrl: credentialUrl,
  clientId: z.string().min(1),
  clientSecretEnv: envVarName.optional(),
  clientSecretCredential: credentialName.optional(),
  /** The Fusion audience followed by urn:opc:resource:consumer::all, as the identity domain shows it. */
  scope: z.string().min(1),
  /** Refresh the token this long after it was issued (Fusion tokens live 60 minutes). */
  tokenRefreshSeconds: z
    .number()
    .int()
    .min(30)
    .default(55 * 60),
});

/** Basic auth for a local (non-SSO, no MFA) Fusion user: the fallback when OAuth is not set up. */
const fusionBasic = z
  .strictObject({
    type: z.literal('basic'),
    username: z.string().min(1),
    passwordEnv: envVarName.optional(),
    passwordCredential: credentialName.optional(),
  })
  .superRefine((a, ctx) => exactlyOne(a, ['passwordEnv', 'passwordCredential'], ctx));

export const fusionSchema = z.strictObject({
  /** REST base, e.g. https://pod.example.com/fscmRestApi/resources/11.13.18.05 */
  baseUrl: credentialUrl,
  auth: z.discriminatedUnion('type', [fusionOAuth, fusionBasic]),
  pageSize: z.number().int().min(1).max(500).default(500),
  /** Re-read this much before the watermark each run; the ledger drops what was already sent. */
  overlapSeconds: z.number().int().min(1).default(300),
  /** Where the first sync starts when the ledger has no watermark yet (RFC 3339 with zone). */
  initialWatermark: z.iso.datetime({ offset: true }).default('1970-01-01T00:00:00Z'),
  frameworkVersion: z.number().int().min(1).max(9).default(4),
  requestTimeoutSeconds: z.number().int().min(1).default(60),
  /**
   * Time slices of a large window read at once, fixed (1 = one after another). Unset: adaptive,
   * widened on clean answers and narrowed on 429/503 up to limits.maxParallelPages.
   */
  parallelPages: z.number().int().min(1).max(16).optional(),
  /**
   * Also select parents whose child rows changed in the window (q on child.LastUpdateDate), for
   * pods where a child change does not move the parent's LastUpdateDate.
   */
  childChangeFilter: z.boolean().default(true),
  /**
   * Optional child collections to read (dotted paths, e.g. `invoiceLines.invoiceDistributions`),
   * instead of those the format's fields need; `[]` reads none of them.
   */
  children: z.array(z.string().min(1)).optional(),
  /** Bounds on response size, paging and Retry-After; each has a default. */
  limits: fusionLimitsSchema.optional(),
  /** An HTTP proxy for every Fusion call; without it HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply. */
  proxy: fusionProxySchema.optional(),
});

const privateKeyAuth = z
  .strictObject({
    type: z.literal('privateKey'),
    privateKeyFile: z.string().min(1).optional(),
    privateKeyEnv: envVarName.optional(),
    privateKeyCredential: credentialName.optional(),
    passphraseEnv: envVarName.optional(),
    passphraseCredential: credentialName.optional(),
  })
  .superRefine((a, ctx) => {
    exactlyOne(a, ['privateKeyFile', 'privateKeyEnv', 'privateKeyCredential'], ctx);
    exactlyOne(a, ['passphraseEnv', 'passphraseCredential'], ctx, false);
  });

const passwordAuth = z
  .strictObject({
    type: z.literal('password'),
    passwordEnv: envVarName.optional(),
    passwordCredential: credentialName.optional(),
  })
  .superRefine((a, ctx) => exactlyOne(a, ['passwordEnv', 'passwordCredential'], ctx));

/**
 * An SSH server's host key, pinned: a SHA256 fingerprint as `ssh-keygen -lf` prints it, or a
 * known_hosts line. `{ "acceptAny": true }` turns checking off (logged at every start).
 */
const hostKeyPinSchema = z.union(
  [
    z.strictObject({
      sha256: z
        .string()
        .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must look like SHA256:<43 base64 characters>'),
    }),
    z.strictObject({
      knownHostsLine: z.string().regex(/\s(AAAA[A-Za-z0-9+/=]+)/, 'must hold the base64 key blob'),
    }),
    z.strictObject({ acceptAny: z.literal(true) }),
  ],
  {
    error: 'set hostKey to { "sha256": "SHA256:…" } or { "knownHostsLine": "…" } (or { "acceptAny": true })',
  },
);

/** SFTP through an HTTP CONNECT or SOCKS5 proxy; `url` is http://host:port or socks5://host:port. */
const sftpProxySchema = z
  .strictObject({ type: z.enum(['http', 'socks5']), url: z.string(), ...proxyLogin })
  .superRefine((p, ctx) => {
    checkProxyUrl(p.url, [`${p.type}:`], ctx);
    checkProxyLogin(p, ctx);
  });

/** SFTP through an SSH jump host (a direct-tcpip channel): its own login and pinned host key. */
const jumpHostSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().min(1),
  auth: z.discriminatedUnion('type', [privateKeyAuth, passwordAuth]),
  hostKey: hostKeyPinSchema,
});

export const sftpSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().min(1),
  auth: z.discriminatedUnion('type', [privateKeyAuth, passwordAuth]),
  hostKey: hostKeyPinSchema,
  /** Optional algorithm allow-lists passed to ssh2, e.g. { "cipher": ["aes256-gcm@openssh.com"] }. */
  algorithms: z
    .strictObject({
      kex: z.array(z.string()).min(1).optional(),
      cipher: z.array(z.string()).min(1).optional(),
      serverHostKey: z.array(z.string()).min(1).optional(),
      hmac: z.array(z.string()).min(1).optional(),
    })
    .optional(),
  /** Absolute remote folder the files go to. */
  folder: z.string().regex(/^\//, 'must be an absolute path on the SFTP server, starting with /'),
  /** How long a failing upload is retried (exponential backoff) before the run fails and alerts. */
  retryWindowMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(30),
  /** Create the folder if it is missing; otherwise a missing folder fails the run without retries. */
  createFolder: z.boolean().default(false),
  connectTimeoutSeconds: z.number().int().min(1).default(20),
  /** Deadline for each remote operation other than the transfer itself (stat, rename, …). */
  operationTimeoutSeconds: z.number().int().min(1).default(60),
  /**
   * Name of the delivered file; placeholders {integration} {entity} {yyyy} {MM} {dd} {HH} {mm} {ss}
   * (the window end, UTC) {run} (a hash of the run: keeps names unique, so it is required) {ext}.
   */
  fileNameTemplate: fileNameTemplate.default(DEFAULT_FILE_NAME_TEMPLATE),
  /**
   * Encrypt each file to the partner's OpenPGP key (and sign it with ours). The key references
   * follow the same rules as other secrets: a file, a variable or a stored credential.
   */
  pgp: z
    .strictObject({
      recipientKeyFile: z.string().min(1).optional(),
      recipientKeyEnv: envVarName.optional(),
      recipientKeyCredential: credentialName.optional(),
      signingKeyFile: z.string().min(1).optional(),
      signingKeyEnv: envVarName.optional(),
      signingKeyCredential: credentialName.optional(),
      signingPassphraseEnv: envVarName.optional(),
      signingPassphraseCredential: credentialName.optional(),
      /** ASCII armor (.asc) instead of binary (.pgp). */
      armor: z.boolean().default(false),
    })
    .superRefine((p, ctx) => {
      exactlyOne(p, ['recipientKeyFile', 'recipientKeyEnv', 'recipientKeyCredential'], ctx);
      exactlyOne(p, ['signingKeyFile', 'signingKeyEnv', 'signingKeyCredential'], ctx, false);
      exactlyOne(p, ['signingPassphraseEnv', 'signingPassphraseCredential'], ctx, false);
    })
    .optional(),
  /**
   * Compress each file before delivery (and before PGP): `gzip` (`.csv.gz`) or `zip` (`.zip`
   * holding the one file under its name). The archived and delivered bytes are the compressed ones.
   */
  compress: z.enum(['gzip', 'zip']).optional(),
  /** Also write `<name>.sha256` after the file is in place. */
  sha256Sidecar: z.boolean().default(false),
  /** Also write an empty `<name>.done` marker last. */
  doneFile: z.boolean().default(false),
  /** Remote write buffer: large values keep a sequential put as fast as OpenSSH (see docs). */
  writeHighWaterMarkBytes: z
    .number()
    .int()
    .min(16 * 1024)
    .default(4 * 1024 * 1024),
  /** Reach the server through an HTTP CONNECT or SOCKS5 proxy. */
  proxy: sftpProxySchema.optional(),
  /** Reach the server through an SSH jump host (not together with proxy). */
  jumpHost: jumpHostSchema.optional(),
  /** X12 only: where the partner leaves 997/999 acknowledgements (read only, never written). */
  acknowledgements: z
    .strictObject({
      folder: z.string().regex(/^\//, 'must be an absolute path on the SFTP server, starting with /'),
      /** Alert once per file when no acknowledgement arrived this long after delivery. */
      expectWithinHours: z
        .number()
        .positive()
        .max(30 * 24)
        .default(24),
      /** At most this many new acknowledgement files are read per poll. */
      maxFilesPerPoll: z.number().int().min(1).max(1000).default(50),
      /** A bigger acknowledgement file is recorded as refused, not read. */
      maxFileBytes: z
        .number()
        .int()
        .min(1024)
        .max(1024 * 1024)
        .default(1024 * 1024),
    })
    .optional(),
});

/** The name the `sftp` destination goes by beside `destinations` (status, audit, the ledger). */
export const PRIMARY_DESTINATION = 'primary';

/**
 * A further SFTP destination of the same file: an ID of its own and every `sftp` key (its own
 * server, folder, login, host key, PGP key and compression).
 */
export const destinationSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -, at most 63 characters')
    .refine((id) => id !== PRIMARY_DESTINATION, `"${PRIMARY_DESTINATION}" is the name of \`sftp\` itself`),
  // Acknowledgements are read from the primary destination only (`sftp.acknowledgements`).
  ...sftpSchema.omit({ acknowledgements: true }).shape,
});

/**
 * Key hygiene: how long before a PGP key expires to warn, and how old a stored credential or a
 * host key pin's last confirmation may get. At the top level for every integration, and per
 * integration (its keys win). Unset keys take the defaults (src/keys, DEFAULT_KEY_HYGIENE).
 */
export const keyHygieneSchema = z.strictObject({
  /** Warn this many days before a partner's or our PGP key expires (default 30). */
  warnDaysBeforeExpiry: z.number().int().min(1).max(365).optional(),
  /** Warn when a stored credential's value was set longer ago than this (default 90). */
  credentialMaxAgeDays: z.number().int().min(1).max(3650).optional(),
  /** Warn when no connection has confirmed a host key pin for this long (default 30). */
  hostKeyConfirmMaxAgeDays: z.number().int().min(1).max(3650).optional(),
});

const segmentName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'letters, digits and _ only');

export const chartOfAccountsSchema = z.strictObject({
  delimiter: z.string().min(1).default('-'),
  segments: z.array(segmentName).min(1).default(['company', 'costCentre', 'account', 'subAccount']),
});

const cronExpression = z.string().superRefine((text, ctx) => {
  try {
    CronExpressionParser.parse(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a cron expression (${(err as Error).message})` });
  }
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * When the long-lived integration workflow syncs: cron expressions in a time zone (the next run is
 * the earliest of them), e.g. every 15 minutes on business days and hourly during close. Deadlines
 * are cut-offs by which a file must have been delivered since the previous cut-off, or an alert goes out.
 */
export const scheduleSchema = z.strictObject({
  cron: z.array(cronExpression).min(1),
  timezone: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC')
    .default('UTC'),
  deadlines: z.array(z.strictObject({ cutoff: cronExpression, label: z.string().optional() })).default([]),
});

export const integrationSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -, at most 63 characters'),
    entity: z.enum(['journalLines', 'invoices', 'purchaseOrders', 'suppliers']),
    fusion: fusionSchema,
    sftp: sftpSchema,
    /** More SFTP destinations for the same file, each with its own ID; \`sftp\` is "primary". */
    destinations: z.array(destinationSchema).optional(),
    chartOfAccounts: chartOfAccountsSchema.default({
      delimiter: '-',
      segments: ['company', 'costCentre', 'account', 'subAccount'],
    }),
    /** The file format; CSV with the entity's default columns when absent. */
    format: formatSchema.default(() => csvFormatSchema.parse({ type: 'csv' })),
    schedule: scheduleSchema.optional(),
    /** Journal lines: a journal whose DR and CR differ is quarantined whole, unless this is true. */
    allowUnbalancedJournals: z.boolean().default(false),
    /** Key hygiene thresholds for this integration (over the top-level ones). */
    keyHygiene: keyHygieneSchema.optional(),
  })
  .superRefine((integration, ctx) => {
    if (integration.sftp.proxy && integration.sftp.jumpHost) {
      ctx.addIssue({
        code: 'custom',
        path: ['sftp', 'jumpHost'],
        message: 'set proxy or jumpHost, not both',
      });
    }
    const ids = new Set<string>();
    integration.destinations?.forEach((d, i) => {
      if (ids.has(d.id))
        ctx.addIssue({
          code: 'custom',
          path: ['destinations', i, 'id'],
          message: `duplicate destination id "${d.id}"`,
        });
      ids.add(d.id);
      if (d.proxy && d.jumpHost)
        ctx.addIssue({
          code: 'custom',
          path: ['destinations', i, 'jumpHost'],
          message: 'set proxy or jumpHost, not both',
        });
    });
    const { entity, format } = integration;
    if (integration.sftp.acknowledgements && format.type !== 'x12') {
      ctx.addIssue({
        code: 'custom',
        path: ['sftp', 'acknowledgements'],
        message: `acknowledgements (997/999) are for X12 integrations, not format ${format.type}`,
      });
    }
    if (format.type === 'x12' && entity !== 'invoices' && entity !== 'purchaseOrders') {
      ctx.addIssue({
        code: 'custom',
        path: ['format', 'type'],
        message: `X12 is for invoices (810) and purchaseOrders (850), not ${entity}`,
      });
      return;
    }
    const optional = Object.keys(OPTIONAL_CHILDREN[entity]);
    integration.fusion.children?.forEach((path, i) => {
      if (!optional.includes(path)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fusion', 'children', i],
          message: optional.length
            ? `"${path}" is not an optional child collection of ${entity}; the optional ones are ${optional.join(', ')}`
            : `${entity} has no optional child collections (its children are always read)`,
        });
      }
    });
    // A field the entity does not have is reported at its column, with the fields it does have.
    const fieldIssues = layoutFieldIssues(integration, closestKey);
    for (const issue of fieldIssues)
      ctx.addIssue({ code: 'custom', path: ['format', ...issue.path], message: issue.message });
    if (fieldIssues.length > 0) return;
    // Compile the layout now: an unusable one is a configuration error at start, not a failed run.
    try {
      rendererFor(integration, SAMPLE_ENVELOPE);
    } catch (err) {
      if (!(err instanceof LayoutError)) throw err;
      for (const problem of err.problems)
        ctx.addIssue({ code: 'custom', path: ['format'], message: problem });
    }
  });

/** MB of V8 heap the worker runs with (bench/README.md, "Memory"). */
export const DEFAULT_WORKER_HEAP_LIMIT_MB = 160;
/**
 * V8's semi-space, MB: the young generation is three of them. V8's own 16 MB (48 MB young, in the
 * main thread and again in the workflow thread) is mostly garbage between two scavenges here: 8
 * took 25 MB off one sync's peak RSS and 15 MB off four at once; 4 about another 10 MB (a million
 * lines: 290–298 MB in five runs against 296–314 in six; 100,000: 279–286 against 291–309), for
 * about 0.1 s more of scavenges per 100,000 lines (bench/README.md, 7 Dec).
 */
export const DEFAULT_WORKER_SEMI_SPACE_MB = 4;
/** Activities one worker runs at once; each running sync holds its own pages. */
export const DEFAULT_WORKER_MAX_ACTIVITIES = 8;
/**
 * Workflow executions kept in the worker's cache (one per integration, plus its running sync).
 * The SDK's own default follows the heap limit: 10 at 160 MB, 2,000+ at 4 GB.
 */
export const DEFAULT_WORKER_MAX_CACHED_WORKFLOWS = 50;

/**
 * The worker process's own resources. Its memory is bounded by a V8 heap limit that
 * bin/ml-connector-worker (the image's command) passes to node from `heapLimitMB` (and the young
 * generation from `semiSpaceMB`): without a
 * limit, V8 sizes its heap for the machine (about 4 GB here) and grows it lazily by hundreds of MB
 * during a large sync, although a sync holds only a few pages at a time (bench/README.md).
 */
export const workerSchema = z.strictObject({
  heapLimitMB: z.number().int().min(96).max(65_536).default(DEFAULT_WORKER_HEAP_LIMIT_MB),
  semiSpaceMB: z.number().int().min(1).max(256).default(DEFAULT_WORKER_SEMI_SPACE_MB),
  /**
   * How far V8 lets the old generation grow past the live heap before it collects again
   * (`--heap-growing-percent`; unset: V8's own heuristic, 1.3–1.5 times the live heap in the
   * bench). A larger heap limit changes that little: garbage collection is about half of a big sync's
   * worker CPU, and 100 halves its full collections for a few tens of MB more at the peak
   * (bench/README.md, "Garbage collection"). Only the launcher can pass it: NODE_OPTIONS refuses it.
   */
  heapGrowingPercent: z.number().int().min(10).max(400).optional(),
  maxConcurrentActivities: z.number().int().min(2).max(1000).default(DEFAULT_WORKER_MAX_ACTIVITIES),
  maxCachedWorkflows: z.number().int().min(2).max(100_000).default(DEFAULT_WORKER_MAX_CACHED_WORKFLOWS),
});

export const configFileSchema = z
  .strictObject({
    integrations: z.array(integrationSchema).min(1),
    /** Where failure alerts go (a Slack-compatible webhook and/or e-mail); none when absent. */
    alerts: alertsSchema.optional(),
    /** The worker process's heap limit and concurrency; the defaults when absent. */
    worker: workerSchema.default(() => workerSchema.parse({})),
    /** Key hygiene thresholds for every integration (each may override them). */
    keyHygiene: keyHygieneSchema.optional(),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    for (const [i, integration] of file.integrations.entries()) {
      if (seen.has(integration.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['integrations', i, 'id'],
          message: `duplicate integration id "${integration.id}"`,
        });
      }
      seen.add(integration.id);
    }
  });

export type FusionConfig = z.infer<typeof fusionSchema>;
export type SftpConfig = z.infer<typeof sftpSchema>;
export type DestinationConfig = z.infer<typeof destinationSchema>;
export type ChartOfAccounts = z.infer<typeof chartOfAccountsSchema>;
export type IntegrationConfig = z.infer<typeof integrationSchema>;
export type ConfigFile = z.infer<typeof configFileSchema>;
export type WorkerConfig = z.infer<typeof workerSchema>;
export type KeyHygieneConfig = z.infer<typeof keyHygieneSchema>;
