import type {
  AckDetail,
  BusinessKey,
  CarriedRecord,
  FileDelivery,
  FileDestinationRow,
  FileListing,
  QuarantineListing,
  RunListing,
  SearchHit,
  StoredKeyHygieneItem,
} from '../ledger';
import { parseRunKey } from '../shared/runKey';
import { type Html, type HtmlValue, href, html } from './html';

// The pages, as functions from ledger rows to HTML: semantic tables with captions and header
// cells, labelled forms, one h1 per page, plain links for paging. No script anywhere; the style
// sheet is the only other resource.

export interface PageContext {
  /** Where a run's link goes: the Temporal Web UI and the namespace the workflows run in. */
  temporal: { baseUrl: string; namespace: string };
}

/** The integration as the overview shows it: configuration and ledger side by side. */
export interface IntegrationRow {
  id: string;
  entity: string | null;
  format: string | null;
  destination: string | null;
  inConfig: boolean;
  schedule: { cron: string[]; timezone: string } | null;
  nextRun: string | null;
  watermark: string | null;
  lastRun: { runKey: string; kind: string; status: string; startedAt: string } | null;
  lastFileAt: string | null;
  openFailures: number;
  lastError: { message: string; at: string; runKey: string } | null;
}

export interface Paging {
  page: number;
  limit: number;
  /** More rows exist after this page. */
  more: boolean;
  /** Builds the link to another page with the same filters. */
  link(page: number): string;
}

type NavItem = 'integrations' | 'files' | 'search' | 'quarantine' | 'failures' | 'runs';

const NAV: { id: NavItem; label: string; path: string }[] = [
  { id: 'integrations', label: 'Integrations', path: '/' },
  { id: 'files', label: 'Files', path: '/files' },
  { id: 'search', label: 'Search', path: '/search' },
  { id: 'quarantine', label: 'Quarantine', path: '/quarantine' },
  { id: 'failures', label: 'Open failures', path: '/failures' },
  { id: 'runs', label: 'Runs', path: '/runs' },
];

export function layout(title: string, current: NavItem | null, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ml-connector audit</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header>
<p class="brand"><a href="/">ml-connector audit</a></p>
<nav aria-label="Main">
<ul>
${NAV.map(
  (n) =>
    html`<li><a href="${n.path}"${n.id === current ? html` aria-current="page"` : null}>${n.label}</a></li>`,
)}
</ul>
</nav>
</header>
<main>
<h1>${title}</h1>
${body}
</main>
<footer><p>Read-only view of the ledger. Times are UTC (RFC 3339).</p></footer>
</body>
</html>
`;
}

// --- Small parts

function time(value: string | null | undefined): Html {
  return value
    ? html`<time datetime="${value}">${value.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time>`
    : html`—`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function bytes(n: number): string {
  return `${count(n)} bytes`;
}

function empty(columns: number, text: string): Html {
  return html`<tr><td colspan="${columns}">${text}</td></tr>`;
}

/** A run's ID, linked to its workflow run in the Temporal Web UI (when the key names one). */
export function runLink(ctx: PageContext, runKey: string): Html {
  const parts = parseRunKey(runKey);
  if (!parts) return html`<code>${runKey}</code>`;
  const base = ctx.temporal.baseUrl.replace(/\/+$/, '');
  const url = `${base}/namespaces/${encodeURIComponent(ctx.temporal.namespace)}/workflows/${encodeURIComponent(
    parts.workflowId,
  )}/${encodeURIComponent(parts.runId)}/history`;
  const window = parts.window === undefined ? null : html` (window ${parts.window})`;
  return html`<a href="${url}" class="run">${parts.workflowId}</a>${window}`;
}

function fileLink(fileId: string, fileName: string): Html {
  return html`<a href="/files/${fileId}">${fileName}</a>`;
}

const FILE_STATUS: Record<FileListing['status'], string> = {
  rendered: 'Rendered, not delivered yet',
  uploaded: 'On the server, not committed yet',
  committed: 'Delivered',
};

function deliveries(f: FileListing): string {
  if (f.deliveries === 0) return 'none recorded';
  const uploads = f.deliveries - f.replays;
  const parts = [`${uploads} upload${uploads === 1 ? '' : 's'}`];
  if (f.replays) parts.push(`${f.replays} replay${f.replays === 1 ? '' : 's'}`);
  return parts.join(', ');
}

export const BUSINESS_KEY_LABELS: Record<BusinessKey, string> = {
  orderNumber: 'PO number',
  purchaseOrderNumber: 'PO number on the invoice',
  invoiceNumber: 'Invoice number',
  supplierNumber: 'Supplier number',
  batchName: 'Journal batch',
  journalName: 'Journal',
};

function businessNumbers(keys: CarriedRecord['businessKeys']): Html {
  const entries = Object.entries(keys) as [BusinessKey, string][];
  if (entries.length === 0) return html`—`;
  return html`<dl class="numbers">${entries.map(
    ([k, v]) => html`<div><dt>${BUSINESS_KEY_LABELS[k] ?? k}</dt><dd>${v}</dd></div>`,
  )}</dl>`;
}

function pager(p: Paging, what: string): Html {
  if (p.page === 1 && !p.more) return html``;
  const prev = p.page > 1 ? html`<a rel="prev" href="${p.link(p.page - 1)}">Previous page</a>` : null;
  const next = p.more ? html`<a rel="next" href="${p.link(p.page + 1)}">Next page</a>` : null;
  return html`<nav class="pager" aria-label="Pages of ${what}">${prev} <span>Page ${p.page}</span> ${next}</nav>`;
}

function integrationSelect(ids: readonly string[], selected: string | null): Html {
  return html`<label for="integration">Integration</label>
<select id="integration" name="integration">
<option value="">All integrations</option>
${ids.map((id) => html`<option value="${id}"${id === selected ? html` selected` : null}>${id}</option>`)}
</select>`;
}

// --- Integrations

function integrationStatus(i: IntegrationRow): Html {
  if (!i.inConfig) return html`<span class="status muted">Not in this configuration</span>`;
  if (i.openFailures > 0) {
    return html`<span class="status bad">Failing</span> (<a href="${href('/failures', { integration: i.id })}">${count(
      i.openFailures,
    )} open failure${i.openFailures === 1 ? '' : 's'}</a>)`;
  }
  if (!i.lastRun) return html`<span class="status muted">Never run</span>`;
  if (i.lastRun.status === 'committed') return html`<span class="status ok">OK</span>`;
  return html`<span class="status">Running (${i.lastRun.status})</span>`;
}

/** A key hygiene finding on the overview, with its integration. */
export type KeyRow = StoredKeyHygieneItem & { integrationId: string };

const KEY_STATUS: Record<KeyRow['status'], Html> = {
  ok: html`<span class="status ok">OK</span>`,
  warn: html`<span class="status warn">Renew soon</span>`,
  expired: html`<span class="status bad">Expired</span>`,
  unknown: html`<span class="status muted">Unknown</span>`,
};

function daysLeft(k: KeyRow): string {
  if (k.daysLeft === null) return '—';
  return k.daysLeft < 0 ? `${-k.daysLeft} days past` : `${k.daysLeft}`;
}

/** Keys and credentials: what the worker's daily check found. Key IDs, fingerprints, names and dates only. */
function keysSection(keys: readonly KeyRow[]): Html {
  return html`<h2 id="keys">Keys and credentials</h2>
<p>What the worker's daily key hygiene check found: each partner's PGP key and our signing key (expiry),
each stored credential (when its value was set), each host key pin (when a connection last confirmed it).
No secret is shown: key IDs, fingerprints, credential names and dates only.</p>
<table>
<caption>Keys and credentials</caption>
<thead><tr>
<th scope="col">What</th><th scope="col">Integration</th><th scope="col">Which</th><th scope="col">Status</th>
<th scope="col">Date</th><th scope="col">Due</th><th scope="col">Days left</th><th scope="col">Detail</th>
<th scope="col">Checked</th>
</tr></thead>
<tbody>
${
  keys.length
    ? keys.map(
        (k) => html`<tr>
<th scope="row">${k.label}</th>
<td>${k.integrationId}</td>
<td><code>${k.subject}</code></td>
<td>${KEY_STATUS[k.status]}</td>
<td>${time(k.datedAt)}</td>
<td>${time(k.dueAt)}</td>
<td>${daysLeft(k)}</td>
<td>${k.detail}</td>
<td>${time(k.checkedAt)}</td>
</tr>`,
      )
    : empty(9, 'No key hygiene check has run yet (the integration workflow runs one a day).')
}
</tbody>
</table>`;
}

export function integrationsPage(
  ctx: PageContext,
  rows: IntegrationRow[],
  keys: readonly KeyRow[] = [],
): Html {
  const body = html`<p>Every configured integration, with what the ledger last recorded for it. The next run is
the schedule's next time; it happens when the integration's workflow is started and not paused (see
<code>ml-connector status</code> or the Temporal Web UI).</p>
${searchForm('', 'any')}
<table>
<caption>Integrations</caption>
<thead><tr>
<th scope="col">Integration</th><th scope="col">Entity and format</th><th scope="col">Destination</th>
<th scope="col">Status</th><th scope="col">Schedule</th><th scope="col">Next run</th>
<th scope="col">Last run</th><th scope="col">Last file</th><th scope="col">Watermark</th>
<th scope="col">Last error</th>
</tr></thead>
<tbody>
${
  rows.length
    ? rows.map(
        (i) => html`<tr>
<th scope="row"><a href="${href('/files', { integration: i.id })}">${i.id}</a></th>
<td>${i.entity ?? '—'}${i.format ? html`, ${i.format}` : null}</td>
<td>${i.destination ? html`<code>${i.destination}</code>` : '—'}</td>
<td>${integrationStatus(i)}</td>
<td>${i.schedule ? html`<code>${i.schedule.cron.join('; ')}</code> (${i.schedule.timezone})` : 'No schedule: synced on request'}</td>
<td>${time(i.nextRun)}</td>
<td>${i.lastRun ? html`${time(i.lastRun.startedAt)}: ${i.lastRun.status}${i.lastRun.kind === 'resend' ? ' (resend)' : null}<br>${runLink(ctx, i.lastRun.runKey)}` : '—'}</td>
<td>${time(i.lastFileAt)}</td>
<td>${time(i.watermark)}</td>
<td>${i.lastError ? html`${time(i.lastError.at)}: <span class="error">${i.lastError.message}</span>` : '—'}</td>
</tr>`,
      )
    : empty(10, 'No integration is configured or registered.')
}
</tbody>
</table>
${keysSection(keys)}`;
  return layout('Integrations', 'integrations', body);
}

// --- Files

export interface FileFilters {
  integrationIds: readonly string[];
  integration: string | null;
  from: string | null;
  to: string | null;
}

export function filesPage(
  ctx: PageContext,
  filters: FileFilters,
  files: FileListing[],
  paging: Paging,
): Html {
  const body = html`<form method="get" action="/files" class="filters">
${integrationSelect(filters.integrationIds, filters.integration)}
<label for="from">From (date or time, inclusive)</label>
<input id="from" name="from" type="text" inputmode="numeric" placeholder="2026-11-01" value="${filters.from ?? ''}">
<label for="to">To (exclusive)</label>
<input id="to" name="to" type="text" inputmode="numeric" placeholder="2026-12-01" value="${filters.to ?? ''}">
<button type="submit">Show files</button>
</form>
<p>A file is <em>delivered</em> once it was put on the server, checked there (size, and sha256 when it was
already in place) and committed to the ledger with its records. Reconciliation with the server runs on demand
(<code>ml-connector reconcile</code>) and is not stored; the connector receives no acknowledgement from the
partner, so none is shown.</p>
<table>
<caption>Files, newest first</caption>
<thead><tr>
<th scope="col">File</th><th scope="col">Integration</th><th scope="col">Time</th><th scope="col">Records</th>
<th scope="col">Size</th><th scope="col">sha256</th><th scope="col">State</th><th scope="col">Deliveries</th>
<th scope="col">Run</th>
</tr></thead>
<tbody>
${
  files.length
    ? files.map(
        (f) => html`<tr>
<th scope="row">${fileLink(f.fileId, f.fileName)}</th>
<td>${f.integrationId}</td>
<td>${time(f.committedAt ?? f.renderedAt)}</td>
<td class="num">${count(f.records)}</td>
<td class="num">${bytes(f.bytes)}</td>
<td><code class="hash">${f.sha256}</code></td>
<td>${FILE_STATUS[f.status]}${f.ackState ? html`<br>ack: ${f.ackState}` : null}</td>
<td>${deliveries(f)}</td>
<td>${runLink(ctx, f.runKey)}</td>
</tr>`,
      )
    : empty(9, 'No file matches.')
}
</tbody>
</table>
${pager(paging, 'files')}`;
  return layout('Files', 'files', body);
}

const DESTINATION_STATUS: Record<FileDestinationRow['status'], string> = {
  pending: 'Waiting to be delivered',
  delivered: 'Delivered',
  failed: 'Failed: retried by the next sync or `retry`',
};

/** The AK3/AK4 (IK3/IK4) codes of a set, as the partner sent them; a dash when it sent none. */
function ackCodes(codes: Record<string, unknown>): Html | string {
  const given = Object.entries(codes).filter(([, v]) => !(Array.isArray(v) && v.length === 0));
  return given.length ? html`<code>${JSON.stringify(Object.fromEntries(given))}</code>` : '—';
}

/** The partner's 997/999 results for an X12 file, with their AK codes. */
function acknowledgementSection(file: FileListing, acks: AckDetail[]): Html | null {
  if (!file.ackState) return null;
  return html`<section aria-labelledby="file-acks">
<h2 id="file-acks">Acknowledgements</h2>
<table>
<caption>997/999 results for this file (state: ${file.ackState})</caption>
<thead><tr><th scope="col">Read</th><th scope="col">Acknowledgement file</th><th scope="col">Group (GS06)</th><th scope="col">Set (ST02)</th><th scope="col">Status</th><th scope="col">Codes</th></tr></thead>
<tbody>
${
  acks.length
    ? acks.map(
        (
          a,
        ) => html`<tr><td>${time(a.readAt)}</td><td>${a.ackFile}</td><td>${a.functionalId} ${a.groupControlNumber}</td>
<td>${a.setId ?? '—'} ${a.setControlNumber ?? ''}</td><td>${a.status}</td><td>${ackCodes(a.codes)}</td></tr>`,
      )
    : empty(6, 'No acknowledgement yet.')
}
</tbody>
</table>
</section>`;
}

export function fileDetailPage(
  ctx: PageContext,
  file: FileListing,
  log: FileDelivery[],
  records: CarriedRecord[],
  paging: Paging,
  /** Further destinations (config `destinations`): how the file's delivery to each went. */
  destinations: FileDestinationRow[] = [],
  acks: AckDetail[] = [],
): Html {
  const further = destinations.length
    ? html`<section aria-labelledby="file-destinations">
<h2 id="file-destinations">Further destinations</h2>
<table>
<caption>The file at each further destination (the primary, <code>sftp</code>, is above)</caption>
<thead><tr><th scope="col">Destination</th><th scope="col">State</th><th scope="col">Path on the server</th>
<th scope="col">Size</th><th scope="col">sha256</th><th scope="col">Attempts</th><th scope="col">Delivered</th>
<th scope="col">Last error</th></tr></thead>
<tbody>
${destinations.map(
  (d) => html`<tr><td>${d.destinationId}</td><td>${DESTINATION_STATUS[d.status]}</td>
<td><code>${d.remotePath}</code></td><td>${bytes(d.byteCount)}</td><td><code class="hash">${d.sha256}</code></td>
<td>${count(d.attempts)}</td><td>${time(d.deliveredAt)}</td><td>${d.lastError ?? '—'}</td></tr>`,
)}
</tbody>
</table>
</section>`
    : html``;
  const body = html`<section aria-labelledby="file-facts">
<h2 id="file-facts">The file</h2>
<dl class="facts">
<div><dt>Name</dt><dd>${file.fileName}</dd></div>
<div><dt>Integration</dt><dd>${file.integrationId}</dd></div>
<div><dt>Path on the server</dt><dd><code>${file.remotePath}</code></dd></div>
<div><dt>State</dt><dd>${FILE_STATUS[file.status]}</dd></div>
<div><dt>Format</dt><dd>${file.format}</dd></div>
<div><dt>Records</dt><dd>${count(file.records)}</dd></div>
<div><dt>Size</dt><dd>${bytes(file.bytes)}</dd></div>
<div><dt>sha256</dt><dd><code class="hash">${file.sha256}</code></dd></div>
<div><dt>Rendered</dt><dd>${time(file.renderedAt)}</dd></div>
<div><dt>Uploaded</dt><dd>${time(file.uploadedAt)}</dd></div>
<div><dt>Committed</dt><dd>${time(file.committedAt)}</dd></div>
<div><dt>Run</dt><dd>${runLink(ctx, file.runKey)}</dd></div>
${file.ackState ? html`<div><dt>Acknowledgement</dt><dd>${file.ackState}</dd></div>` : null}
</dl>
</section>
${acknowledgementSection(file, acks)}
<section aria-labelledby="file-deliveries">
<h2 id="file-deliveries">Deliveries</h2>
<table>
<caption>Each time the file was put on a server</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Sent</th><th scope="col">Reason</th></tr></thead>
<tbody>
${
  log.length
    ? log.map(
        (
          d,
        ) => html`<tr><td>${time(d.at)}</td><td>${d.destination ? `${d.kind} to ${d.destination}` : d.kind}</td>
<td>${d.uploadedNow ? 'Uploaded' : 'Already in place (same size and sha256): not sent again'}</td>
<td>${d.reason ?? '—'}</td></tr>`,
      )
    : empty(4, 'No delivery recorded.')
}
</tbody>
</table>
</section>
${further}
<section aria-labelledby="file-records">
<h2 id="file-records">Records in this file</h2>
<table>
<caption>Records the file carried, in file order</caption>
<thead><tr><th scope="col">Row</th><th scope="col">Record ID</th><th scope="col">Numbers</th>
<th scope="col">Version (LastUpdateDate)</th><th scope="col">Sent</th></tr></thead>
<tbody>
${
  records.length
    ? records.map(
        (r) => html`<tr><td class="num">${r.rowInFile}</td><th scope="row">${r.recordId}</th>
<td>${businessNumbers(r.businessKeys)}</td><td>${time(r.recordVersion)}</td>
<td>${time(r.sentAt)}${r.isResend ? ' (resend)' : null}</td></tr>`,
      )
    : empty(
        5,
        file.status === 'committed'
          ? 'No records on this page.'
          : 'Records are listed once the file is committed.',
      )
}
</tbody>
</table>
${pager(paging, 'records')}
</section>`;
  return layout(`File ${file.fileName}`, 'files', body);
}

// --- Search

export const SEARCH_KINDS = ['any', 'po', 'invoice', 'supplier', 'journal', 'record'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

const SEARCH_KIND_LABELS: Record<SearchKind, string> = {
  any: 'Any number',
  po: 'PO number',
  invoice: 'Invoice number',
  supplier: 'Supplier number',
  journal: 'Journal batch or journal name',
  record: 'Fusion record ID',
};

function searchForm(q: string, kind: SearchKind): Html {
  return html`<form method="get" action="/search" role="search" class="filters">
<label for="q">Number</label>
<input id="q" name="q" type="search" required maxlength="200" value="${q}">
<label for="kind">Kind</label>
<select id="kind" name="kind">
${SEARCH_KINDS.map((k) => html`<option value="${k}"${k === kind ? html` selected` : null}>${SEARCH_KIND_LABELS[k]}</option>`)}
</select>
<button type="submit">Search</button>
</form>`;
}

function matchedAs(hit: SearchHit, q: string): string {
  const keys = (Object.entries(hit.businessKeys) as [BusinessKey, string][])
    .filter(([, v]) => v === q)
    .map(([k]) => BUSINESS_KEY_LABELS[k] ?? k);
  if (hit.recordId === q) keys.push('Record ID');
  return keys.join(', ') || '—';
}

export function searchPage(
  ctx: PageContext,
  q: string | null,
  kind: SearchKind,
  delivered: SearchHit[],
  held: QuarantineListing[],
  paging: Paging,
): Html {
  const intro = html`<p>Which file carried a PO, an invoice, a supplier or a journal, when, and whether it arrived.
The number must match exactly (letters as written). Records delivered before the ledger kept business numbers
are found by their Fusion record ID.</p>`;
  if (q === null) return layout('Search', 'search', html`${intro}${searchForm('', kind)}`);
  const body = html`${intro}${searchForm(q, kind)}
<section aria-labelledby="found-delivered">
<h2 id="found-delivered">Delivered records matching “${q}”</h2>
<table>
<caption>Ledger entries, newest first</caption>
<thead><tr><th scope="col">Matched as</th><th scope="col">Record ID</th><th scope="col">Integration</th>
<th scope="col">File</th><th scope="col">Row</th><th scope="col">Sent</th><th scope="col">Arrived</th>
<th scope="col">Run</th></tr></thead>
<tbody>
${
  delivered.length
    ? delivered.map(
        (
          h,
        ) => html`<tr><td>${matchedAs(h, q)}</td><th scope="row">${h.recordId}</th><td>${h.integrationId}</td>
<td>${fileLink(h.fileId, h.fileName)}</td><td class="num">${h.rowInFile}</td>
<td>${time(h.sentAt)}${h.isResend ? ' (resend)' : null}</td>
<td>${h.fileStatus === 'committed' ? html`<span class="status ok">Yes</span>: on the server as <code>${h.remotePath}</code>` : FILE_STATUS[h.fileStatus]}</td>
<td>${runLink(ctx, h.runKey)}</td></tr>`,
      )
    : empty(8, 'No delivered record matches.')
}
</tbody>
</table>
${pager(paging, 'delivered records')}
</section>
<section aria-labelledby="found-held">
<h2 id="found-held">Held back (quarantined) matching “${q}”</h2>
${quarantineTable(ctx, held, 'Quarantined records, newest first')}
</section>`;
  return layout('Search', 'search', body);
}

// --- Quarantine

function quarantineTable(ctx: PageContext, rows: QuarantineListing[], caption: string): Html {
  return html`<table>
<caption>${caption}</caption>
<thead><tr><th scope="col">Record ID</th><th scope="col">Integration</th><th scope="col">Field</th>
<th scope="col">Reason</th><th scope="col">Version</th><th scope="col">Held back</th>
<th scope="col">Delivered since</th><th scope="col">Run</th></tr></thead>
<tbody>
${
  rows.length
    ? rows.map(
        (q) => html`<tr><th scope="row">${q.recordId}</th><td>${q.integrationId}</td><td>${q.field}</td>
<td class="reason">${q.reason}</td><td>${q.recordVersion}</td><td>${time(q.at)}</td>
<td>${q.deliveredSince ? html`Yes, a later version: ${time(q.deliveredSince)}` : 'Not yet'}</td>
<td>${runLink(ctx, q.runKey)}</td></tr>`,
      )
    : empty(8, 'No quarantined record.')
}
</tbody>
</table>`;
}

export function quarantinePage(
  ctx: PageContext,
  ids: readonly string[],
  integration: string | null,
  rows: QuarantineListing[],
  paging: Paging,
): Html {
  const body = html`<p>Records that could not be sent as they were, with the field and the reason. They are not in
the ledger, so their next version (once corrected in Fusion) is delivered.</p>
<form method="get" action="/quarantine" class="filters">
${integrationSelect(ids, integration)}
<button type="submit">Show</button>
</form>
${quarantineTable(ctx, rows, 'Quarantined records, newest first')}
${pager(paging, 'quarantined records')}`;
  return layout('Quarantine', 'quarantine', body);
}

// --- Runs and open failures

function runsTable(ctx: PageContext, rows: RunListing[], caption: string): Html {
  return html`<table>
<caption>${caption}</caption>
<thead><tr><th scope="col">Run</th><th scope="col">Integration</th><th scope="col">Kind</th>
<th scope="col">Status</th><th scope="col">Window</th><th scope="col">Extracted</th><th scope="col">Staged</th>
<th scope="col">Already sent</th><th scope="col">Quarantined</th><th scope="col">Started</th>
<th scope="col">File</th><th scope="col">Failure</th></tr></thead>
<tbody>
${
  rows.length
    ? rows.map(
        (
          r,
        ) => html`<tr><th scope="row">${runLink(ctx, r.runKey)}</th><td>${r.integrationId}</td><td>${r.kind}</td>
<td>${r.status}</td><td>${time(r.windowFrom)} to ${time(r.windowTo)}</td>
<td class="num">${count(r.extracted)}</td><td class="num">${count(r.staged)}</td>
<td class="num">${count(r.alreadySent)}</td><td class="num">${count(r.quarantined)}</td>
<td>${time(r.startedAt)}</td>
<td>${r.fileId && r.fileName ? fileLink(r.fileId, r.fileName) : '—'}</td>
<td>${r.failedAt ? html`${time(r.failedAt)}, at ${r.failedStage ?? '?'}: <span class="error">${r.lastError ?? ''}</span>` : '—'}</td></tr>`,
      )
    : empty(12, 'No run.')
}
</tbody>
</table>`;
}

export function runsPage(
  ctx: PageContext,
  ids: readonly string[],
  integration: string | null,
  rows: RunListing[],
  paging: Paging,
  failuresOnly: boolean,
): Html {
  const path = failuresOnly ? '/failures' : '/runs';
  const intro: HtmlValue = failuresOnly
    ? html`<p>Runs that failed and were not committed since. A run that failed before its file existed sent
nothing (the next sync reads its window again); one whose file could not be delivered is delivered first by the
next sync, or now with <code>ml-connector retry</code>.</p>`
    : html`<p>Every sync and resend run, newest first. Each run links to its workflow in the Temporal Web UI.</p>`;
  const body = html`${intro}
<form method="get" action="${path}" class="filters">
${integrationSelect(ids, integration)}
<button type="submit">Show</button>
</form>
${runsTable(ctx, rows, failuresOnly ? 'Open failures, newest first' : 'Runs, newest first')}
${pager(paging, 'runs')}`;
  return layout(failuresOnly ? 'Open failures' : 'Runs', failuresOnly ? 'failures' : 'runs', body);
}

// --- Errors

export function errorPage(status: number, title: string, message: string): Html {
  return layout(
    title,
    null,
    html`<p role="alert">${message}</p><p><a href="/">Back to the integrations</a></p><p class="muted">HTTP ${status}</p>`,
  );
}

export const STYLE = `:root { font-family: system-ui, sans-serif; line-height: 1.4; color: #1b1b1b; background: #fff; }
body { margin: 0 auto; padding: 0 1rem 2rem; max-width: 110rem; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1rem 2rem; border-bottom: 2px solid #1b1b1b; }
.brand { font-weight: 700; margin: 0.75rem 0; }
.brand a { color: inherit; text-decoration: none; }
nav ul { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; text-decoration: none; border-bottom: 3px solid #005ea2; }
a { color: #005ea2; }
a:focus, button:focus, input:focus, select:focus { outline: 3px solid #ffbe2e; outline-offset: 1px; }
h1 { font-size: 1.6rem; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 1rem 0; width: 100%; font-size: 0.9rem; }
caption { text-align: left; font-weight: 700; padding: 0.25rem 0; }
th, td { border: 1px solid #a9aeb1; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
td code, td a, td.reason, tbody th { overflow-wrap: anywhere; }
thead th { background: #f0f0f0; }
tbody th { font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-size: 0.85em; }
code.hash { word-break: break-all; }
.filters { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.75rem; margin: 1rem 0; }
.filters input, .filters select, .filters button { font: inherit; padding: 0.25rem 0.5rem; }
.status { font-weight: 700; }
.status.ok { color: #00672a; }
.status.bad, .error { color: #b50909; }
.status.warn { color: #8a4b00; }
.muted { color: #565c65; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dl.facts div, dl.numbers div { display: contents; }
dl.facts dt { font-weight: 600; }
dl.facts dd, dl.numbers dd { margin: 0; overflow-wrap: anywhere; }
dl.numbers { display: grid; grid-template-columns: max-content 1fr; gap: 0 0.5rem; margin: 0; }
dl.numbers dt { color: #565c65; }
.pager { display: flex; gap: 1rem; }
footer { margin-top: 2rem; color: #565c65; font-size: 0.85rem; }
`;
