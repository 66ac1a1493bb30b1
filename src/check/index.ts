import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type SftpClient from 'ssh2-sftp-client';
import { type AlertSink, sendAlert } from '../alerts';
import type { CredentialInfo } from '../credentials';
import { entityReaders } from '../fusion';
import { OPTIONAL_CHILDREN } from '../fusion/children';
import type { FusionClient, Link } from '../fusion/client';
import {
  type ChildSpec,
  expandParam,
  explainRefusedChild,
  type Raw,
  windowFilter,
} from '../fusion/documents';
import { keysetRequest, START_OF_WINDOW } from '../fusion/paging';
import type { IntegrationRuntime } from '../integrations';
import { collectKeyHygiene, destinationPins, hostOf, integrationDestinations } from '../keys';
import type { HostKeyConfirmation, KeyHygieneStatus } from '../ledger';
import { expectedFingerprint, type SftpDestination, SftpError } from '../sftp';
import { openSftp, type SftpSession } from '../sftp/connect';

// `ml-connector check <integration>`: connect to everything a sync will need, before the first real
// data does — the Fusion token, one row of the resource and of each child collection the layout
// reads, the query a sync sends, the SFTP server with its pinned host key, a write to the outbound
// folder, the expiry and age of its keys, credentials and host key pins, and (asked for) a test alert. Every check uses the worker's own code: the same Fusion
// client, the same SFTP connect, the same alert sinks. Nothing is staged or recorded anywhere.

/** `warn`: works today, but needs attention soon (a key near its expiry); it does not fail the check. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  durationMs: number;
  /** What was seen (a pass), why it failed, or why it was not run. Never a secret. */
  detail?: string;
}

export interface IntegrationCheck {
  integrationId: string;
  ok: boolean;
  checks: CheckResult[];
}

/** A failure whose message is the whole cause (no error class name in front). */
class CheckFailure extends Error {}

/** Collects results in order, timing each, and hands each on as it completes (to print it). */
export class CheckRecorder {
  readonly results: CheckResult[] = [];
  private readonly secrets: string[] = [];

  constructor(private readonly options: { onResult?: (result: CheckResult) => void } = {}) {}

  /** Values removed from every detail from now on, whatever produced it (the resolved secrets). */
  hide(values: readonly string[]): void {
    this.secrets.push(...values.filter((v) => v.length >= 4));
  }

  get ok(): boolean {
    return this.results.every((r) => r.status !== 'fail');
  }

  /** Runs one check; true when it passed. `work` may return a short detail for the pass. */
  async run(name: string, work: () => Promise<string | undefined>): Promise<boolean> {
    const started = performance.now();
    let result: CheckResult;
    try {
      const detail = await work();
      result = { name, status: 'pass', durationMs: elapsed(started), ...(detail ? { detail } : {}) };
    } catch (err) {
      result = { name, status: 'fail', durationMs: elapsed(started), detail: causeOf(err) };
    }
    this.add(result);
    return result.status === 'pass';
  }

  skip(name: string, reason: string): void {
    this.add({ name, status: 'skip', durationMs: 0, detail: reason });
  }

  fail(name: string, cause: string): void {
    this.add({ name, status: 'fail', durationMs: 0, detail: cause });
  }

  /** A result worked out without a call of its own (key hygiene): any status, no duration. */
  report(name: string, status: CheckStatus, detail: string): void {
    this.add({ name, status, durationMs: 0, detail });
  }

  private add(result: CheckResult): void {
    const clean = result.detail === undefined ? result : { ...result, detail: this.scrub(result.detail) };
    this.results.push(clean);
    this.options.onResult?.(clean);
  }

  private scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

function causeOf(err: unknown): string {
  if (err instanceof CheckFailure) return err.message;
  if (err instanceof Error) return err.message.replace(/\s+/g, ' ').trim();
  return String(err);
}

export interface CheckOptions {
  /** Also send a test alert through every configured sink (`--alert`). */
  alert?: boolean;
  /** The configured alert sinks, built as the worker builds them; called only with `alert`. */
  alertSinks?: () => Promise<readonly AlertSink[]>;
  /** The end of the window the query check asks for (default now). */
  now?: () => Date;
  /**
   * What key hygiene reads beside the keys themselves: the credential store's dates and the
   * ledger's host key confirmations; null (or absent) where there is no store or ledger.
   */
  keyHygiene?: {
    credentials: readonly CredentialInfo[] | null;
    confirmations: readonly HostKeyConfirmation[] | null;
  };
}

/** Every check of one integration, in order; a check that cannot run for an earlier failure is skipped. */
export async function checkIntegration(
  rt: IntegrationRuntime,
  options: CheckOptions = {},
  recorder: CheckRecorder = new CheckRecorder(),
): Promise<IntegrationCheck> {
  await fusionChecks(rt, recorder, options.now?.() ?? new Date());
  const confirmed = await sftpChecks(rt, recorder);
  await keyHygieneChecks(rt, recorder, options, confirmed);
  if (options.alert) await alertChecks(rt, recorder, options.alertSinks ?? (async () => []));
  return { integrationId: rt.config.id, ok: recorder.ok, checks: recorder.results };
}

// --- Fusion -------------------------------------------------------------------------------------

/** The first row of a collection, read with `limit=1` (and the given parameters), or undefined. */
async function firstRow(client: FusionClient, url: string, params: Record<string, string> = {}) {
  const pages = client.pages(url, params, 0, 1);
  try {
    const first = await pages.next();
    return first.done ? undefined : (first.value.items[0] as Raw | undefined);
  } finally {
    await pages.return(undefined);
  }
}

/** The client names the path of a failed GET; the origin makes it the whole URL (no credentials in it). */
function withOrigin(client: FusionClient, err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const origin = new URL(client.resourceUrl('x')).origin;
  const message = err.message.replace(/(^|\()GET \//, `$1GET ${origin}/`);
  return message === err.message ? err : new CheckFailure(message);
}

async function fusionChecks(rt: IntegrationRuntime, checks: CheckRecorder, now: Date): Promise<void> {
  const { client, auth } = rt.fusion;
  const settings = rt.config.fusion.auth;
  const reader = entityReaders[rt.config.entity];
  const children = rt.read.children ?? reader.spec.children;
  const spec = { ...reader.spec, children };
  const resourceName = `fusion read ${spec.resource}`;
  const queryName = `fusion query ${spec.resource} as a sync sends it`;

  let authorized = true;
  if (settings.type === 'oauth') {
    // The token URL without user, password or query: the client's messages name only its host.
    const token = new URL(settings.tokenUrl);
    const endpoint = `${token.origin}${token.pathname}`;
    authorized = await checks.run('fusion token', async () => {
      try {
        const { expiresAt } = await auth.warm();
        return `POST ${endpoint}: token valid until ${new Date(expiresAt ?? 0).toISOString()}`;
      } catch (err) {
        if (!(err instanceof Error)) throw err;
        const named = `Fusion token request to ${token.host}`;
        throw new CheckFailure(
          err.message.startsWith(named)
            ? `Fusion token request to ${endpoint}${err.message.slice(named.length)}`
            : `POST ${endpoint}: ${err.message}`,
        );
      }
    });
  }
  if (!authorized) {
    const reason = 'no Fusion token (see the token check)';
    checks.skip(resourceName, reason);
    for (const path of childPaths(children)) checks.skip(`${resourceName}.${path}`, reason);
    checks.skip(queryName, reason);
    return;
  }

  let row: Raw | undefined;
  const url = client.resourceUrl(spec.resource);
  await checks.run(resourceName, async () => {
    try {
      row = await firstRow(client, url);
    } catch (err) {
      throw withOrigin(client, err);
    }
    return row
      ? `GET ${url}?limit=1: 1 row`
      : `GET ${url}?limit=1: no rows yet (its children cannot be read)`;
  });
  await childChecks(client, rt, checks, { row, label: spec.resource }, children, '');

  if (client.frameworkVersion < 2) {
    checks.skip(
      queryName,
      'framework version 1 pages by offset without expand; the reads above are what it sends',
    );
    return;
  }
  await checks.run(queryName, async () => {
    // The first page of a live sync's window (readWhere): the window filter (with the child filter),
    // keyset order, the children expanded, onlyData. A pod or role refusing any part of it refuses this.
    const to = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const window = { from: new Date(to.getTime() - 60_000).toISOString(), to: to.toISOString() };
    const params: Record<string, string> = {
      ...keysetRequest(windowFilter(spec, window, rt.read.childChangeFilter), spec.key, START_OF_WINDOW),
    };
    if (rt.read.expand && children.length) {
      params.expand = expandParam(children);
      params.onlyData = 'true';
    }
    try {
      await firstRow(client, url, params);
    } catch (err) {
      throw withOrigin(client, explainRefusedChild(err, spec));
    }
    const parts = [
      params.expand ? `expand ${params.expand}` : 'no expand',
      rt.read.childChangeFilter && children.length ? 'child change filter on' : 'child change filter off',
    ];
    return `accepted (${parts.join(', ')})`;
  });
}

function childPaths(children: readonly ChildSpec[], prefix = ''): string[] {
  return children.flatMap((c) => [
    `${prefix}${c.name}`,
    ...childPaths(c.children ?? [], `${prefix}${c.name}.`),
  ]);
}

/** One row of each child collection, through the child link of the first row one level up. */
async function childChecks(
  client: FusionClient,
  rt: IntegrationRuntime,
  checks: CheckRecorder,
  parent: { row: Raw | undefined; label: string },
  children: readonly ChildSpec[],
  prefix: string,
): Promise<void> {
  const resource = entityReaders[rt.config.entity].spec.resource;
  for (const child of children) {
    const path = `${prefix}${child.name}`;
    const name = `fusion read ${resource}.${path}`;
    let row: Raw | undefined;
    if (!parent.row) {
      checks.skip(name, `no ${parent.label} row to follow its "${child.name}" link from`);
    } else {
      const from = parent.row;
      await checks.run(name, async () => {
        const links: unknown[] = Array.isArray(from.links) ? from.links : [];
        const link = links.find((l): l is Link => {
          const candidate = l as Partial<Link> | null;
          return (
            candidate?.rel === 'child' && candidate.name === child.name && typeof candidate.href === 'string'
          );
        });
        const href = link?.href;
        if (!href) throw new CheckFailure(missingChild(rt, parent.label, child.name, path));
        try {
          row = await firstRow(client, href);
        } catch (err) {
          throw withOrigin(client, err);
        }
        const shown = new URL(href);
        return `GET ${shown.origin}${shown.pathname}?limit=1: ${row ? '1 row' : `none on that ${parent.label} row`}`;
      });
    }
    await childChecks(client, rt, checks, { row, label: child.name }, child.children ?? [], `${path}.`);
  }
}

function missingChild(rt: IntegrationRuntime, parent: string, name: string, path: string): string {
  const why = OPTIONAL_CHILDREN[rt.config.entity][path]
    ? `it is read because ${rt.config.fusion.children ? 'fusion.children names it' : 'the file layout uses its fields'}; ` +
      'grant the role access, or leave it out of fusion.children if the file does not need it'
    : "it is always read for this entity: grant the integration user's role access to it";
  return (
    `the ${parent} row has no child link "${name}": this pod or the integration user's role does not ` +
    `expose the child collection "${name}" (${why})`
  );
}

// --- SFTP ---------------------------------------------------------------------------------------

/** `.ml-connector-check.<16 hex>.part`: unique, hidden, and skipped by listings and reconcile like a temporary. */
export function checkFileName(): string {
  return `.ml-connector-check.${randomBytes(8).toString('hex')}.part`;
}

const CHECK_FILE_BODY = Buffer.from('ml-connector check: this file is removed at once\n');

/**
 * The primary destination's checks, then each further destination's, named by its ID; the
 * primary's presented host key fingerprint when the connection was made (key hygiene uses it).
 */
async function sftpChecks(rt: IntegrationRuntime, checks: CheckRecorder): Promise<string | undefined> {
  const presented = await destinationChecks(rt.sftp, 'sftp', checks);
  for (const d of rt.destinations) await destinationChecks(d.sftp, `destination ${d.id}`, checks);
  return presented;
}

async function destinationChecks(
  sftp: SftpDestination,
  label: string,
  checks: CheckRecorder,
): Promise<string | undefined> {
  const writeName = `${label} write ${sftp.folder}`;
  let session: SftpSession | undefined;
  const connected = await checks.run(
    `${label} connect ${sftp.username}@${sftp.host}:${sftp.port}`,
    async () => {
      session = await openSftp(sftp);
      return 'acceptAny' in sftp.hostKey
        ? `host key ${session.hostKey} NOT checked (${label === 'sftp' ? 'sftp.' : ''}hostKey.acceptAny)`
        : `host key ${session.hostKey} matches the pin`;
    },
  );
  if (!connected || !session) {
    checks.skip(writeName, 'not connected');
    return undefined;
  }
  const open = session;
  try {
    await checks.run(writeName, () => writeAndRemove(open, sftp.folder, sftp.createFolder));
  } finally {
    await open.end();
  }
  return open.hostKey;
}

/** Writes a uniquely named file into the folder, checks its size and removes it; fails if it stays. */
async function writeAndRemove(session: SftpSession, folder: string, createFolder: boolean): Promise<string> {
  let created = '';
  if (!(await session.op(`checking ${folder}`, (c) => c.exists(folder)))) {
    if (!createFolder) {
      throw new SftpError('no-such-path', `${folder} does not exist on the server (createFolder is off)`);
    }
    await session.op(`creating ${folder}`, (c) => c.mkdir(folder, true));
    created = `created ${folder} (createFolder), `;
  }
  const path = posix.join(folder, checkFileName());
  // Exclusive create, as a delivery writes its temporary: nothing already there is written through.
  // @types/ssh2-sftp-client lists only 'w' and 'a' as flags, hence the cast.
  const streamOptions: { flags: string; mode: number } = { flags: 'wx', mode: 0o644 };
  const writeStreamOptions = streamOptions as SftpClient.WriteStreamOptions;
  let written = false;
  try {
    await session.op(`writing ${path}`, (c) => c.put(CHECK_FILE_BODY, path, { writeStreamOptions }));
    written = true;
    const stat = await session.op(`checking ${path}`, (c) => c.stat(path));
    if (stat.size !== CHECK_FILE_BODY.length) {
      throw new CheckFailure(
        `${path} is ${stat.size} bytes on the server after writing ${CHECK_FILE_BODY.length}`,
      );
    }
  } catch (err) {
    // The open may have created it before the write failed: try to leave nothing behind.
    if (!written)
      await session.op(`removing ${path}`, (c) => c.delete(path, true), 10).catch(() => undefined);
    throw err;
  }
  try {
    await session.op(`removing ${path}`, (c) => c.delete(path));
  } catch (err) {
    throw new CheckFailure(
      `wrote ${path} but could not remove it (${causeOf(err)}): the account may write but not delete ` +
        'in this folder; remove the file by hand',
    );
  }
  return `${created}wrote and removed ${posix.basename(path)}`;
}

// --- Key hygiene ---------------------------------------------------------------------------------

const CHECK_STATUS: Record<KeyHygieneStatus, CheckStatus> = {
  ok: 'pass',
  warn: 'warn',
  expired: 'fail',
  unknown: 'skip',
};

/**
 * One line per PGP key, stored credential and host key pin: ok, warn or expired, with the date
 * and days left. The connection this check just made (with a matching pin) counts as a confirmation.
 */
async function keyHygieneChecks(
  rt: IntegrationRuntime,
  checks: CheckRecorder,
  options: CheckOptions,
  presented: string | undefined,
): Promise<void> {
  const now = options.now?.() ?? new Date();
  const destinations = destinationPins(integrationDestinations(rt.config));
  const confirmations = [...(options.keyHygiene?.confirmations ?? [])];
  const main = destinations.find((d) => d.id === 'sftp');
  const pinned = main && expectedFingerprint(main.hostKey);
  if (main && pinned && presented === pinned) {
    const at = now.toISOString();
    confirmations.push({
      destination: 'sftp',
      host: hostOf(main),
      fingerprint: pinned,
      firstConfirmedAt: at,
      lastConfirmedAt: at,
    });
  }
  const items = await collectKeyHygiene({
    integration: rt.config,
    thresholds: rt.keyHygiene,
    ...(rt.pgp ? { pgp: rt.pgp.keys } : {}),
    destinations,
    credentials: options.keyHygiene?.credentials ?? null,
    confirmations: options.keyHygiene?.confirmations || confirmations.length ? confirmations : null,
    now,
  });
  for (const item of items) {
    checks.report(
      `key ${item.label}`,
      CHECK_STATUS[item.status],
      `${item.status}: ${item.subject}: ${item.detail}`,
    );
  }
}

// --- Alerts -------------------------------------------------------------------------------------

async function alertChecks(
  rt: IntegrationRuntime,
  checks: CheckRecorder,
  sinksOf: () => Promise<readonly AlertSink[]>,
): Promise<void> {
  let sinks: readonly AlertSink[] = [];
  const built = await checks.run('alert sinks', async () => {
    sinks = await sinksOf();
    if (!sinks.length)
      throw new CheckFailure('no alert sinks are configured (the config file has no "alerts")');
    return sinks.map((s) => s.name).join(', ');
  });
  if (!built) return;
  const alert = {
    severity: 'warning' as const,
    integrationId: rt.config.id,
    title: 'Test alert from ml-connector check',
    text: `A test sent by \`ml-connector check ${rt.config.id}\`: alerts for this integration arrive here. Nothing failed.`,
    fields: { check: 'test alert' },
    at: new Date().toISOString(),
  };
  for (const sink of sinks) {
    await checks.run(`alert ${sink.name}`, async () => {
      const [outcome] = await sendAlert([sink], alert);
      if (outcome && !outcome.ok) throw outcome.error;
      return 'test alert delivered';
    });
  }
}
