import { type CollectionEnvelope, childLink, type FusionClient } from './client';
import { FusionError } from './errors';
import { isResponseTooLarge } from './http';
import {
  type KeysetPosition,
  keysetRequest,
  nextPosition,
  parseServedStamp,
  queryInstant,
  START_OF_WINDOW,
  stampLiteral,
} from './paging';

export { queryInstant } from './paging';

// Reads whole documents (a parent row with all its child rows, to any depth) changed in a
// frozen window. The top level is paged by key (keyset), not by offset: a row that is updated
// while we page leaves the window without shifting the rows after it, so none is skipped.
// Children come expanded when the server sends them; a child collection that reports hasMore
// (or was not expanded) is completed through its child link, offset by the rows returned.

export type Raw = Record<string, unknown>;

export interface ChildSpec {
  name: string;
  children?: ChildSpec[];
}

export interface ResourceSpec {
  resource: string;
  /** The primary key attribute: the tie-break of the ordering and the keyset cursor. */
  key: string;
  children: ChildSpec[];
}

export interface ChangeWindow {
  /** Exclusive lower bound, RFC 3339 UTC. */
  from: string;
  /** Inclusive upper bound, frozen when the run starts. */
  to: string;
}

export interface ReadOptions {
  /** Ask for children with `expand` (fewer requests); otherwise every child set is fetched by link. */
  expand: boolean;
  /** Also select parents whose children changed in the window (q on child.LastUpdateDate). */
  childChangeFilter: boolean;
  /** The child collections to read (see children.ts); all of the resource's when absent. */
  children?: ChildSpec[];
}

function childPaths(children: ChildSpec[], prefix = ''): string[] {
  return children.flatMap((c) => [
    `${prefix}${c.name}`,
    ...childPaths(c.children ?? [], `${prefix}${c.name}.`),
  ]);
}

/** `lines,lines.schedules,lines.schedules.distributions`: every level named, parents first. */
export function expandParam(children: ChildSpec[]): string {
  return childPaths(children).join(',');
}

function inWindow(attribute: string, window: ChangeWindow): string {
  return `${attribute} > '${queryInstant(window.from)}' and ${attribute} <= '${queryInstant(window.to)}'`;
}

/** The window filter: the parent changed, or (optionally) any of its children did. */
export function windowFilter(spec: ResourceSpec, window: ChangeWindow, childChangeFilter: boolean): string {
  const own = inWindow('LastUpdateDate', window);
  if (!childChangeFilter || spec.children.length === 0) return own;
  const paths = childPaths(spec.children).map((p) => `(${inWindow(`${p}.LastUpdateDate`, window)})`);
  return `(${own}) or ${paths.join(' or ')}`;
}

/** Child rows one document may still hold (fusion.limits.maxRowsPerDocument), counted as it is completed. */
interface RowBudget {
  rows: number;
}

async function allPages(
  client: FusionClient,
  url: string,
  params: Record<string, string>,
  budget: RowBudget,
  from = 0,
): Promise<Raw[]> {
  const rows: Raw[] = [];
  const pages = client.pages(url, params, from, undefined, { maxRows: budget.rows });
  for await (const page of pages) rows.push(...(page.items as Raw[]));
  budget.rows -= rows.length;
  return rows;
}

/**
 * Documents that could not be read whole (a child collection beyond the bounds, or paging that
 * does not advance), with the reason: handed on so the entity reader quarantines them instead of
 * mapping a partial document. The rest of the page goes on.
 */
const incomplete = new WeakMap<Raw, { field: string; reason: string }>();

export function incompleteReason(doc: Raw): { field: string; reason: string } | undefined {
  return incomplete.get(doc);
}

/** Completes one listed document, or marks it incomplete when Fusion's answer for it is unusable. */
async function completeDocument(
  client: FusionClient,
  spec: ResourceSpec,
  item: Raw,
  withLinksFirst: boolean,
): Promise<Raw> {
  let doc = item;
  try {
    if (withLinksFirst && needsChildLinks(doc, spec.children)) doc = await withLinks(client, spec, doc);
    await completeChildren(client, doc, spec.children, { rows: client.limits.maxRowsPerDocument });
  } catch (err) {
    // Only a bound or an unusable answer about this document; transient faults, auth and
    // foreign links still fail the whole read.
    if (!(err instanceof FusionError && err.kind === 'bad-response' && err.permanent)) throw err;
    incomplete.set(doc, { field: '(children)', reason: err.message });
  }
  return doc;
}

/** Parents per page when their children come expanded. */
export const EXPANDED_PAGE_SIZE = 100;

// v1/v2 send expanded children as bare arrays with no paging signal; an array this long may be cut.
const UNTRUSTED_ARRAY_LENGTH = 25;

/**
 * What the response already holds of a child collection: its rows, and whether they are all of
 * them (a v3+ collection without hasMore, or a v1/v2 array too short to have been cut). Null when
 * nothing was expanded: every row must come through the child link.
 */
function expandedRows(nested: unknown): { rows: Raw[]; complete: boolean } | null {
  const collection = nested as Partial<CollectionEnvelope> | null | undefined;
  if (collection && !Array.isArray(collection) && Array.isArray(collection.items)) {
    const more = collection.hasMore === true || String(collection.hasMore) === 'true';
    return { rows: collection.items as Raw[], complete: !more };
  }
  if (Array.isArray(nested) && nested.length < UNTRUSTED_ARRAY_LENGTH)
    return { rows: nested, complete: true };
  return null;
}

/** Whether a child collection of the item, at any depth, must be fetched by its child link. */
export function needsChildLinks(item: Raw, children: ChildSpec[]): boolean {
  return children.some((child) => {
    const expanded = expandedRows(item[child.name]);
    return !expanded?.complete || expanded.rows.some((row) => needsChildLinks(row, child.children ?? []));
  });
}

/**
 * The same document read again with its links (and children expanded), found by its key in `q`:
 * pages come without links (onlyData), and the few documents with more children than one
 * expanded collection holds need their child links to be completed.
 */
async function withLinks(client: FusionClient, spec: ResourceSpec, item: Raw): Promise<Raw> {
  const key = String(item[spec.key]);
  const params = { q: `${spec.key} = ${key}`, expand: expandParam(spec.children) };
  const pages = client.pages(client.resourceUrl(spec.resource), params, 0, 1);
  const first = (await pages.next()).value as CollectionEnvelope | undefined;
  await pages.return(undefined);
  const found = (first?.items ?? [])[0] as Raw | undefined;
  if (!found) {
    // Gone between the page and this read (deleted or its key changed): retry the whole page.
    throw new FusionError('unavailable', `${spec.resource} ${key} could not be read again to complete it`);
  }
  return found;
}

/** Replaces each child property of `item` by the complete list of its rows (recursively). */
export async function completeChildren(
  client: FusionClient,
  item: Raw,
  children: ChildSpec[],
  budget: RowBudget,
): Promise<void> {
  for (const child of children) {
    const grandchildren = child.children ?? [];
    const params: Record<string, string> = grandchildren.length
      ? { expand: expandParam(grandchildren) }
      : { onlyData: 'true' };
    const expanded = expandedRows(item[child.name]);
    let rows: Raw[];
    if (!expanded) {
      rows = await allPages(client, childLink(item, child.name), params, budget);
    } else if (!expanded.complete) {
      // The rest, offset by the rows the response already holds.
      const rest = await allPages(client, childLink(item, child.name), params, budget, expanded.rows.length);
      rows = [...expanded.rows, ...rest];
    } else {
      rows = expanded.rows;
    }
    for (const row of rows) await completeChildren(client, row, grandchildren, budget);
    item[child.name] = rows;
  }
}

/**
 * Framework version 1 reads `q` as query-by-example: no `or`, so neither keyset paging nor the
 * child filter can be expressed. Such pods are paged by offset within the frozen window; a row
 * updated mid-run can then shift a page boundary (a later run's overlap does not cover that):
 * use version 2 or later wherever the pod allows it.
 */
async function* readWindowByOffset(
  client: FusionClient,
  spec: ResourceSpec,
  window: ChangeWindow,
): AsyncGenerator<Raw[]> {
  const params: Record<string, string> = {
    q: `LastUpdateDate>'${queryInstant(window.from)}' and <='${queryInstant(window.to)}'`,
    orderBy: `LastUpdateDate:asc,${spec.key}:asc`,
  };
  const pages = client.pages(client.resourceUrl(spec.resource), params);
  try {
    for (;;) {
      // The page's items in a holder handed over when yielded (readWhere says why).
      const page = await nextItems(pages);
      if (!page) return;
      for (let i = 0; i < page.items.length; i++)
        page.items[i] = await completeDocument(client, spec, page.items[i]!, false);
      if (page.items.length) yield handOver(page);
    }
  } finally {
    await pages.return(undefined);
  }
}

/** The next page's items, in a holder; null after the last. Its own frame holds the answer. */
async function nextItems(pages: AsyncGenerator<CollectionEnvelope>): Promise<{ items: Raw[] } | null> {
  const next = await pages.next();
  return next.done ? null : { items: next.value.items as Raw[] };
}

/** One window, keyset-paged, each page's documents completed before it is yielded. */
function readWindow(
  client: FusionClient,
  spec: ResourceSpec,
  window: ChangeWindow,
  options: ReadOptions,
): AsyncGenerator<Raw[], unknown> {
  return guarded(
    client.frameworkVersion < 2
      ? readWindowByOffset(client, spec, window)
      : readWhere(client, spec, windowFilter(spec, window, options.childChangeFilter), options.expand),
    spec,
  );
}

/**
 * A 400 that names one of the child collections we asked for: the pod (or the integration user's
 * role) does not expose it. Says which child, and the config key that stops asking for it.
 */
export function explainRefusedChild(err: unknown, spec: ResourceSpec): unknown {
  if (!(err instanceof FusionError) || err.kind !== 'bad-request') return err;
  const paths = childPaths(spec.children);
  // Deepest first, a quoted name before a bare one: the error may echo the whole q back.
  const names = paths.map((path) => path.split('.').at(-1)!).reverse();
  const refused =
    names.find((name) => err.message.includes(`'${name}'`) || err.message.includes(`"${name}"`)) ??
    names.find((name) => new RegExp(`\\b${name}\\b`).test(err.message));
  if (!refused) return err;
  return new FusionError(
    'bad-request',
    `Fusion refused the child collection "${refused}" of ${spec.resource} (${err.message}): this pod or ` +
      `the integration user's role does not expose it. Set fusion.children to the optional child ` +
      `collections to read (read now: ${paths.join(', ') || 'none'}; [] reads none), or grant the role access.`,
    err.status,
    undefined,
    { cause: err },
  );
}

/**
 * Documents matching a v2 `q` filter, keyset-paged in (LastUpdateDate, key) order at the served
 * precision (see paging.ts): each document once, whatever the pod's stamps.
 */
export async function* readWhere(
  client: FusionClient,
  spec: ResourceSpec,
  filter: string,
  expand: boolean,
  start: KeysetPosition = START_OF_WINDOW,
  /** Stop after this many requests; the generator then returns where the next page starts. */
  stopAfter = Number.POSITIVE_INFINITY,
): AsyncGenerator<Raw[], KeysetPosition | null> {
  const base: Record<string, string> = {};
  if (expand && spec.children.length) {
    base.expand = expandParam(spec.children);
    // Links are over half of an expanded page (the reference advises onlyData for extraction);
    // a document that needs a child link is read again with them (withLinks).
    base.onlyData = 'true';
  }
  // An expanded parent carries all its children: fewer parents per page keeps each page (and the
  // worker's memory) bounded, as the REST reference advises (50–100 parents when expanding).
  const fullPage = base.expand ? Math.min(client.pageSize, EXPANDED_PAGE_SIZE) : client.pageSize;
  const url = client.resourceUrl(spec.resource);
  const maxPages = client.limits.maxPagesPerWindow;
  let pageSize = fullPage;
  let position: KeysetPosition = start;
  for (let request = 1; ; request++) {
    const describe = `GET ${new URL(url).pathname} (page ${request} of the window)`;
    if (request > maxPages) {
      throw new FusionError(
        'bad-response',
        `${describe}: more than ${maxPages} pages in one window (fusion.limits.maxPagesPerWindow)`,
        undefined,
        undefined,
        { permanent: true },
      );
    }
    const query = keysetRequest(filter, spec.key, position);
    let first: CollectionEnvelope | undefined;
    let oversized: string | null = null;
    try {
      first = await onePage(client, url, { ...base, ...query }, pageSize);
    } catch (err) {
      if (!isResponseTooLarge(err)) throw err;
      // Too large for maxResponseBytes: the same position with fewer parents, down to one; one
      // parent alone too large is read by key only and handed on as incomplete (quarantined),
      // so one huge document cannot stop the integration.
      if (pageSize > 1) {
        pageSize = Math.ceil(pageSize / 2);
        continue;
      }
      oversized = (err as Error).message;
      first = await onePage(client, url, { ...query, fields: `${spec.key},LastUpdateDate` }, 1);
    }
    let listed = (first?.items ?? []) as Raw[];
    // From the page as listed: a document read again may carry a later stamp.
    const step = nextPosition(spec.key, position, listed, first?.hasMore === true, describe);
    const page = { items: listed.slice(0, step.final) };
    first = undefined;
    listed = [];
    for (let i = 0; i < page.items.length; i++) {
      if (oversized) incomplete.set(page.items[i]!, { field: '(document)', reason: oversized });
      else page.items[i] = await completeDocument(client, spec, page.items[i]!, base.onlyData === 'true');
    }
    // Handed over from the holder, so that no variable of this generator holds the page while it
    // waits to be asked for the next one: a suspended generator keeps every value its frame held,
    // and an adaptive read has up to 16 of them waiting their turn (each page a few MB).
    if (page.items.length) yield handOver(page);
    if (!step.next) return null;
    position = step.next;
    if (request >= stopAfter) return position;
    if (!oversized) pageSize = Math.min(fullPage, pageSize * 2);
  }
}

/** The holder's page, which it no longer holds. */
function handOver(holder: { items: Raw[] }): Raw[] {
  const { items } = holder;
  holder.items = [];
  return items;
}

/** One page of a collection query (the next page is the next key range, asked with offset 0). */
async function onePage(
  client: FusionClient,
  url: string,
  params: Record<string, string>,
  pageSize: number,
): Promise<CollectionEnvelope | undefined> {
  const pages = client.pages(url, params, 0, pageSize);
  try {
    return (await pages.next()).value as CollectionEnvelope | undefined;
  } finally {
    await pages.return(undefined);
  }
}

/** Splits [from, to] into n consecutive windows of equal length (whole seconds). */
export function splitWindow(window: ChangeWindow, n: number): ChangeWindow[] {
  const from = Date.parse(queryInstant(window.from));
  const to = Date.parse(queryInstant(window.to));
  const span = Math.max(0, to - from);
  const step = Math.ceil(span / n / 1000) * 1000;
  if (n <= 1 || step === 0) return [window];
  const windows: ChangeWindow[] = [];
  for (let start = from; start < to; start += step) {
    windows.push({
      from: new Date(start).toISOString(),
      to: new Date(Math.min(to, start + step)).toISOString(),
    });
  }
  return windows;
}

/**
 * Documents changed in the window, a page at a time. With a fixed parallelism > 1 the window is
 * split into that many time slices paged at once; with the client's adaptive limit, see
 * readAdaptive. Pages are yielded as they complete.
 */
export async function* readDocuments(
  client: FusionClient,
  spec: ResourceSpec,
  window: ChangeWindow,
  options: ReadOptions,
): AsyncGenerator<Raw[]> {
  const read = options.children ? { ...spec, children: options.children } : spec;
  if (client.adaptive && client.frameworkVersion >= 2) {
    yield* readAdaptive(client, read, window, options);
    return;
  }
  const slices = splitWindow(window, client.parallelism);
  yield* merged(slices.map((slice) => readWindow(client, read, slice, options)));
}

/**
 * Pages read ahead in this process, fetched or waiting to be taken, across every read at once
 * (several syncs on one worker), at most: each read may always have one, so every read goes on.
 * Each is up to a few MB of text and records; four syncs of eight each took a worker past 300 MB.
 */
const PROCESS_READ_AHEAD = 8;
let readAhead = 0;

/** Pages read ahead in this process now (for tests). */
export function pagesReadAhead(): number {
  return readAhead;
}

/** A reader's answer to one pull, or its failure. */
type Settled = { index: number; result: IteratorResult<Raw[], unknown> } | { index: number; error: unknown };

/**
 * Pages of several readers as they complete. A reader asks for its next page before the current
 * one is handed over, so fetching overlaps staging (even with one reader). At most `ahead` readers
 * read ahead at once (the others wait their turn, oldest first), and no more than the process's
 * share (PROCESS_READ_AHEAD, one at least), so at most that many pages are fetched or wait in
 * memory, however many readers and reads there are.
 *
 * Answers go to a queue as they settle, not through Promise.race: each race leaves a reaction on
 * every read still in flight, and that reaction holds the race's result (a page already handed
 * over) until the slowest of them answers.
 */
async function* merged(
  iterators: AsyncGenerator<Raw[], unknown>[],
  ahead = iterators.length,
): AsyncGenerator<Raw[]> {
  /** Pulls asked and not yet taken from `settled` (in flight, or settled and waiting there). */
  let outstanding = 0;
  const settled: Settled[] = [];
  let wake: (() => void) | null = null;
  const arrive = (answer: Settled) => {
    settled.push(answer);
    wake?.();
    wake = null;
  };
  /** Readers with more to read whose turn to read ahead has not come, oldest first. */
  const waiting: number[] = [];
  const pull = (index: number) => {
    readAhead++;
    outstanding++;
    // Read ahead while the caller works on the page before: a failure is taken up in turn.
    iterators[index]!.next().then(
      (result) => arrive({ index, result }),
      (error: unknown) => arrive({ index, error }),
    );
  };
  const take = async (): Promise<Settled> => {
    while (!settled.length) await new Promise<void>((resolve) => (wake = resolve));
    outstanding--;
    readAhead--;
    return settled.shift()!;
  };
  for (let i = 0; i < iterators.length; i++) waiting.push(i);
  const refill = () => {
    while (
      waiting.length &&
      (outstanding === 0 || (outstanding < Math.max(1, ahead) && readAhead < PROCESS_READ_AHEAD))
    )
      pull(waiting.shift()!);
  };
  refill();
  try {
    while (outstanding) {
      const answer = await take();
      if ('error' in answer) throw answer.error;
      if (!answer.result.done) waiting.push(answer.index);
      refill();
      if (answer.result.done) continue;
      yield answer.result.value;
    }
  } finally {
    while (outstanding) await take();
    await Promise.allSettled(iterators.map((it) => it.return(undefined)));
  }
}

const NS_PER_SECOND = 1_000_000_000n;

/** Pages the adaptive read takes one after another to learn the window's pace, at most. */
const HEAD_PAGES = 3;

/** Ranges of one adaptive read, at most (as many as parallelPages may fix). */
const MAX_RANGES = 16;

/**
 * The adaptive read (parallelPages unset): the window's first page alone (up to three, one after
 * another, until they show how fast stamps advance), so a small window costs one request as
 * before; when there is more, the rest of the keyset order is cut by the parents'
 * LastUpdateDate at whole seconds into consecutive ranges read at once (how many: as many as the
 * first page's pace says the rest needs, at most the client's bound). The first range goes on
 * from where the first page stopped, the last has no upper bound (a parent found by a child's
 * change may carry a later stamp), and every range is the same keyset read restricted by
 * `LastUpdateDate >= a and < b`: each document once, in one range. The requests themselves wait
 * for the client's adaptive limit.
 */
async function* readAdaptive(
  client: FusionClient,
  spec: ResourceSpec,
  window: ChangeWindow,
  options: ReadOptions,
): AsyncGenerator<Raw[]> {
  const filter = windowFilter(spec, window, options.childChangeFilter);
  let firstStamp: bigint | null = null;
  let next: KeysetPosition | null = START_OF_WINDOW;
  let resumeNs: bigint | null = null;
  // Pages one after another until they show a pace (a page of one served instant shows none),
  // at most HEAD_PAGES of them.
  for (let page = 1; next; page++) {
    try {
      const head = readWhere(client, spec, filter, options.expand, next, 1);
      for (;;) {
        const r = await head.next();
        if (r.done) {
          next = r.value;
          break;
        }
        firstStamp ??= parseServedStamp(r.value[0]?.LastUpdateDate)?.epochNs ?? null;
        yield r.value;
      }
    } catch (err) {
      throw explainRefusedChild(err, spec);
    }
    resumeNs = next?.phase === 'stamps' ? (next.from?.startNs ?? null) : null;
    if ((resumeNs !== null && firstStamp !== null && resumeNs > firstStamp) || page >= HEAD_PAGES) break;
  }
  if (!next) return;
  // Ranges are cut up to the window's end, or a minute from now when that is sooner (a window
  // may end in the future; rows past the last cut still come, from the last range), or up to the
  // latest document's stamp when the pod names one sooner: a backfill from years back whose
  // documents fill its last weeks would otherwise leave them all to the first range, one page
  // after another.
  const endNs = parseServedStamp(window.to)?.epochNs ?? null;
  const soonNs = BigInt(Date.now() + 60_000) * 1_000_000n;
  let toNs = endNs === null ? null : endNs < soonNs ? endNs : soonNs;
  if (
    toNs !== null &&
    resumeNs !== null &&
    toNs - resumeNs > NS_PER_SECOND * BigInt(LATEST_PROBE_FROM_SECONDS)
  ) {
    const latest = await latestStamp(client, spec, filter);
    // One second past it: the cuts are whole seconds and the last range is open anyway.
    if (latest !== null && latest >= resumeNs && latest + NS_PER_SECOND < toNs) toNs = latest + NS_PER_SECOND;
  }
  if (resumeNs === null || firstStamp === null || resumeNs <= firstStamp || toNs === null) {
    yield* guarded(readWhere(client, spec, filter, options.expand, next), spec);
    return;
  }
  const base = resumeNs - (resumeNs % NS_PER_SECOND);
  const rest = toNs > base ? toNs - base : 0n;
  // The pages so far covered [firstStamp, resume): the rest, at that pace, needs this many pages.
  const pages = Number(rest / (resumeNs - firstStamp)) + 1;
  // Twice as many ranges as requests at once (at most 16): a range that ends early leaves the
  // others enough to keep the limit busy to the end. Only as many ranges read ahead at once as
  // the bound allows requests, so that many pages at most are in flight or wait in memory.
  const n = Math.max(1, Math.min(2 * client.parallelism, MAX_RANGES, pages));
  const step = ((rest / BigInt(n) + NS_PER_SECOND - 1n) / NS_PER_SECOND) * NS_PER_SECOND || NS_PER_SECOND;
  const bounds: bigint[] = [];
  for (let k = 1; k < n && base + BigInt(k) * step < toNs; k++) bounds.push(base + BigInt(k) * step);
  const below = (bound: bigint | undefined) =>
    bound === undefined ? filter : `(${filter}) and LastUpdateDate < '${stampLiteral(bound, 0)}'`;
  const readers = [guarded(readWhere(client, spec, below(bounds[0]), options.expand, next), spec)];
  bounds.forEach((from, i) => {
    const start: KeysetPosition = { phase: 'stamps', from: { startNs: from, fractionDigits: 0 } };
    readers.push(guarded(readWhere(client, spec, below(bounds[i + 1]), options.expand, start), spec));
  });
  yield* merged(readers, client.parallelism);
}

/** Windows longer than this (a day) ask the pod for their latest document before they are cut. */
const LATEST_PROBE_FROM_SECONDS = 86_400;

/**
 * The LastUpdateDate of the window's latest document (one request: the same filter, newest first,
 * one row, that field only), or null when the pod gives none that reads as an instant, or refuses
 * the question itself (400, 404, a body that is not a page); the cut then falls back to the
 * window's end. A hint for balance, never a bound: the last range stays open, so a wrong answer
 * costs speed, not records. Failures that would fail the read anyway (auth, throttling left after
 * retries) are the read's.
 */
async function latestStamp(client: FusionClient, spec: ResourceSpec, filter: string): Promise<bigint | null> {
  try {
    const page = await onePage(
      client,
      client.resourceUrl(spec.resource),
      {
        q: filter,
        orderBy: `LastUpdateDate:desc,${spec.key}:desc`,
        fields: 'LastUpdateDate',
        onlyData: 'true',
      },
      1,
    );
    return parseServedStamp((page?.items[0] as Raw | undefined)?.LastUpdateDate)?.epochNs ?? null;
  } catch (err) {
    if (err instanceof FusionError && ['bad-request', 'not-found', 'bad-response'].includes(err.kind))
      return null;
    throw explainRefusedChild(err, spec);
  }
}

/**
 * The reader, its failures explained. Not a generator: a generator's `yield*` keeps the reader's
 * last answer (the page it handed over) in its suspended frame, and the ranges of an adaptive
 * read wait suspended most of the time — up to 16 pages a read held for nothing.
 */
function guarded(reader: AsyncGenerator<Raw[], unknown>, spec: ResourceSpec): AsyncGenerator<Raw[], unknown> {
  const explained = (err: unknown) => {
    throw explainRefusedChild(err, spec);
  };
  const wrapper: AsyncGenerator<Raw[], unknown> = {
    next: (...args) => reader.next(...args).catch(explained),
    return: (value) => reader.return(value).catch(explained),
    throw: (err) => reader.throw(err).catch(explained),
    [Symbol.asyncIterator]: () => wrapper,
  };
  return wrapper;
}
