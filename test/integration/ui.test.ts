import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { createKeyActivities } from '../../src/activities/keys';
import { buildIntegrations } from '../../src/integrations';
import type { SyncResult } from '../../src/shared';
import { readUiAuth, startUiServer, UiAuthError, type UiServer } from '../../src/ui';
import { syncIntegration } from '../../src/workflows';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';
import { ack, controlNumbers, partner } from '../support/x12Acks';

// The audit page (`ml-connector ui`) in a real browser (Debian's chromium, driven by
// playwright-core) over a real sync: the simulator's purchase orders through Temporal, Postgres
// and OpenSSH, one order with markup in its number, one quarantined for a currency that is markup.
// Screenshots go to test/artifacts/ui (git-ignored). Chromium missing is a failure, not a skip.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, '../artifacts/ui');
const ID = 'po-orders';
const GL = 'gl-lines';
const EDI = 'invoices-810';
const TOKEN = 'audit-token-for-the-test-0123456789';
const HOSTILE_NUMBER = 'PO-<script>window.__owned=1</script>';
const HOSTILE_CURRENCY = '<script>window.__owned=2</script>';
const TEMPORAL_UI = 'http://127.0.0.1:8233';

describe('the audit page in a browser, over a real sync', { timeout: 300_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  let ui: UiServer;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  let result: SyncResult;
  let glResult: SyncResult;
  let searched: { number: string; recordId: string };
  let quarantinedId: string;
  let ediFile: string;
  let ediSets: string[];

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `chromium is not at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
    stack = await startTestStack({
      integrations: (simUrl, sshd) => [
        {
          ...integrationConfig(simUrl, sshd, ID),
          entity: 'purchaseOrders',
          schedule: { cron: ['0 6 * * 1-5'], timezone: 'Europe/Paris' },
        },
        integrationConfig(simUrl, sshd, GL),
        {
          ...integrationConfig(simUrl, sshd, EDI),
          // Invoices, so that the orders the other tests search for are carried by one file only.
          entity: 'invoices',
          format: partner,
          sftp: {
            ...integrationConfig(simUrl, sshd, EDI).sftp,
            acknowledgements: { folder: join(dirname(sshd.folder), 'acks-ui') },
          },
        },
      ],
    });
    const orders = stack.sim.purchaseOrders.top;
    assert.ok(orders.length >= 3, 'the simulator has purchase orders');
    searched = { number: String(orders[0]!.OrderNumber), recordId: String(orders[0]!.POHeaderId) };
    orders[1]!.OrderNumber = HOSTILE_NUMBER;
    orders[2]!.CurrencyCode = HOSTILE_CURRENCY;
    quarantinedId = String(orders[2]!.POHeaderId);

    worker = await startWorker(stack);
    result = await stack.client.workflow.execute(syncIntegration, {
      taskQueue: stack.taskQueue,
      workflowId: `ui-${ID}-${Date.now()}`,
      args: [{ integrationId: ID }],
    });
    assert.ok(result.file, 'the sync delivered a file');
    glResult = await stack.client.workflow.execute(syncIntegration, {
      taskQueue: stack.taskQueue,
      workflowId: `ui-${GL}-${Date.now()}`,
      args: [{ integrationId: GL }],
    });
    assert.ok(glResult.file, 'the journal sync delivered a file');
    // An 810 to the partner, then the partner's 997 accepting every set, read by the next sync.
    const edi = await stack.client.workflow.execute(syncIntegration, {
      taskQueue: stack.taskQueue,
      workflowId: `ui-${EDI}-${Date.now()}`,
      args: [{ integrationId: EDI }],
    });
    assert.ok(edi.file, 'the 810 sync delivered a file');
    ediFile = edi.file.fileName;
    const numbers = controlNumbers(readFileSync(join(stack.sshd.folder, ediFile), 'latin1'));
    ediSets = numbers.st02;
    const ackDir = join(dirname(stack.sshd.folder), 'acks-ui');
    mkdirSync(ackDir, { recursive: true });
    writeFileSync(
      join(ackDir, 'partner-1.997'),
      ack('997', numbers.gs06, numbers.st02, () => ['AK5*A'], { functionalId: 'IN', setId: '810' }),
    );
    const read = await stack.client.workflow.execute(syncIntegration, {
      taskQueue: stack.taskQueue,
      workflowId: `ui-${EDI}-ack-${Date.now()}`,
      args: [{ integrationId: EDI }],
    });
    assert.equal(read.acknowledgements?.read, 1, 'the 997 was read');
    const held = await stack.ledger.quarantineNotes({ integrationId: ID, from: null, to: null, limit: 10 });
    // The simulator's own data holds one bad order too; ours is held for its currency.
    assert.equal(result.quarantined, held.length);
    assert.ok(
      held.some((q) => q.recordId === quarantinedId && q.field === 'CurrencyCode'),
      'our order quarantined, for its currency',
    );

    ui = await startUiServer({
      ledger: stack.ledger,
      config: stack.config,
      host: '127.0.0.1',
      port: 0,
      auth: readUiAuth({}),
      temporal: { baseUrl: TEMPORAL_UI, namespace: 'default' },
    });
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    userDataDir = mkdtempSync(join(tmpdir(), 'mlc-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 800 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await ui?.close();
    await worker?.stop();
    await stack?.close();
    console.log(`screenshots: ${ARTIFACTS}`);
  });

  async function visit(path: string, shot?: string): Promise<number> {
    const response = await page.goto(`${ui.url}${path}`);
    assert.ok(response, `${path} answered`);
    if (shot) await page.screenshot({ path: join(ARTIFACTS, `${shot}.png`), fullPage: true });
    return response.status();
  }

  /** No markup from the data became an element, and nothing ran. */
  async function assertNothingInjected(): Promise<void> {
    assert.equal(await page.locator('script').count(), 0, 'no script element on the page');
    assert.equal(await page.evaluate(() => (globalThis as { __owned?: number }).__owned), undefined);
  }

  it('every page loads with its heading, navigation and tables, without JavaScript of its own', async () => {
    for (const [path, heading, shot] of [
      ['/', 'Integrations', 'integrations'],
      ['/files', 'Files', 'files'],
      ['/search', 'Search', null],
      ['/quarantine', 'Quarantine', 'quarantine'],
      ['/failures', 'Open failures', 'failures'],
      ['/runs', 'Runs', 'runs'],
    ] as const) {
      assert.equal(await visit(path, shot ?? undefined), 200, path);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), heading, path);
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').count(), 6);
      await assertNothingInjected();
    }
    // The overview: the integration, its schedule and next run, its last run linked to Temporal.
    await visit('/');
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: ID }) });
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    assert.match(text, /purchaseOrders, csv/);
    assert.match(text, /0 6 \* \* 1-5/);
    assert.match(text, /Europe\/Paris/);
    assert.match(text, /OK/);
    const [workflowId, runId] = [
      result.runKey.slice(0, result.runKey.lastIndexOf('/')),
      result.runKey.split('/').at(-1),
    ];
    const runHref = await row.locator('a.run').getAttribute('href');
    assert.equal(
      runHref,
      `${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`,
    );
  });

  it('the overview shows keys and credentials: the host key pin the sync confirmed, fingerprints and dates only', async () => {
    const rt = buildIntegrations(stack.config, stack.secrets).get(ID)!;
    try {
      const keys = createKeyActivities({
        ledger: stack.ledger,
        integration: () => rt,
        alertSinks: [],
        workflowRunIsOpen: async () => false,
      });
      await new MockActivityEnvironment().run(keys.checkKeyHygiene, { integrationId: ID });
    } finally {
      await rt.fusion.close();
    }
    await visit('/', 'keys');
    const table = page.getByRole('table', { name: 'Keys and credentials' });
    const row = table.getByRole('row').filter({ hasText: ID });
    assert.equal(await row.count(), 1);
    const text = (await row.textContent()) ?? '';
    assert.match(text, /sftp host key pin/);
    assert.ok(text.includes(stack.sshd.hostKeySha256), text);
    assert.match(text, /OK/);
    assert.match(text, /last confirmed today/);
    const all = (await table.textContent()) ?? '';
    assert.ok(
      !all.includes('PRIVATE KEY') && !all.includes(stack.sshd.privateKey.slice(40, 80)),
      'no secret',
    );
  });

  it('the files page lists the delivered file with its records, size and sha256; its page lists the records', async () => {
    const file = result.file!;
    await visit(`/files?integration=${ID}`);
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: file.fileName }) });
    const text = (await row.textContent()) ?? '';
    assert.match(text, new RegExp(`${result.sent}`));
    assert.match(text, /Delivered/);
    assert.match(text, /1 upload/);
    await row.getByRole('link', { name: file.fileName }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), `File ${file.fileName}`);
    await page.screenshot({ path: join(ARTIFACTS, 'file.png'), fullPage: true });
    const records = page.getByRole('table', { name: 'Records the file carried, in file order' });
    assert.equal(await records.locator('tbody tr').count(), result.sent);
    assert.match((await records.textContent()) ?? '', new RegExp(searched.number));
    await assertNothingInjected();
  });

  it("an X12 file's page shows the partner's 997: accepted, set by set", async () => {
    await visit(`/files?integration=${EDI}`);
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: ediFile }) });
    assert.match((await row.textContent()) ?? '', /ack: accepted/);
    await row.getByRole('link', { name: ediFile }).click();
    await page.screenshot({ path: join(ARTIFACTS, 'acknowledgement.png'), fullPage: true });
    const acks = page.getByRole('table', { name: /997\/999 results for this file \(state: accepted\)/ });
    const rows = acks.locator('tbody tr');
    assert.equal(await rows.count(), ediSets.length);
    const first = (await rows.first().textContent()) ?? '';
    assert.match(first, /partner-1\.997/);
    assert.match(first, new RegExp(`810 ${ediSets[0]}`));
  });

  it('search finds a PO by its number and shows the file that carried it, when, and that it arrived', async () => {
    await visit('/search');
    await page.getByLabel('Number').fill(searched.number);
    await page.getByLabel('Kind').selectOption('po');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/search\?q=/);
    await page.screenshot({ path: join(ARTIFACTS, 'search.png'), fullPage: true });
    // The README's picture (docs/audit-page.png is a copy of it): narrower, one screen.
    await page.setViewportSize({ width: 1040, height: 560 });
    await page.screenshot({ path: join(ARTIFACTS, 'readme.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    const table = page.getByRole('table', { name: 'Ledger entries, newest first' });
    // The order's own file carries it once; an invoice that names the order may carry it too.
    const rows = table.locator('tbody tr').filter({ hasText: result.file!.fileName });
    assert.equal(await rows.count(), 1);
    const text = (await rows.first().textContent()) ?? '';
    assert.match(text, /PO number/);
    assert.match(text, new RegExp(searched.recordId));
    assert.match(text, new RegExp(result.file!.fileName.replace(/\./g, '\\.')));
    assert.match(text, /Yes: on the server/);
    assert.match(text, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    // A number nobody has: said plainly.
    await page.getByLabel('Number').fill('PO-NOBODY-HAS');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/NOBODY/);
    assert.match((await table.textContent()) ?? '', /No delivered record matches/);
  });

  it('search finds journal lines by their batch name, in the journal file', async () => {
    const batch = stack.sim.journals.batches[0]!;
    const batchName = String(batch.BatchName);
    const lines = stack.sim.journals.lines.filter((l) =>
      stack.sim.journals.headers.some(
        (h) => h.JeHeaderId === l._JeHeaderId && h._JeBatchId === batch.JeBatchId,
      ),
    );
    assert.ok(lines.length > 0, 'the batch has lines');
    await visit(`/search?q=${encodeURIComponent(batchName)}&kind=journal&limit=200`);
    const rows = page.getByRole('table', { name: 'Ledger entries, newest first' }).locator('tbody tr');
    assert.equal(await rows.count(), lines.length, 'one hit per line of the batch');
    for (const text of await rows.allTextContents()) {
      assert.match(text, /Journal batch/);
      assert.ok(text.includes(glResult.file!.fileName), text);
    }
    // The same name is no PO number.
    await visit(`/search?q=${encodeURIComponent(batchName)}&kind=po`);
    assert.match(
      (await page.getByRole('table', { name: 'Ledger entries, newest first' }).textContent()) ?? '',
      /No delivered record matches/,
    );
  });

  it('markup in Fusion data is shown as text: a PO number holding <script>', async () => {
    await visit(`/search?q=${encodeURIComponent(HOSTILE_NUMBER)}&kind=po`);
    await page.screenshot({ path: join(ARTIFACTS, 'hostile.png'), fullPage: true });
    const rows = page.getByRole('table', { name: 'Ledger entries, newest first' }).locator('tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match((await rows.first().textContent()) ?? '', /PO number/);
    assert.match(
      (await page.getByRole('heading', { level: 2 }).first().textContent()) ?? '',
      /<script>window\.__owned=1<\/script>/,
    );
    assert.equal(await page.getByLabel('Number').inputValue(), HOSTILE_NUMBER);
    await assertNothingInjected();
    const body = await (await fetch(`${ui.url}/search?q=${encodeURIComponent(HOSTILE_NUMBER)}`)).text();
    assert.ok(!body.includes('<script>'), 'no raw <script> in the HTML');
    assert.ok(body.includes('&lt;script&gt;window.__owned=1&lt;/script&gt;'));
  });

  it('a quarantined record shows its field and reason, its markup as text', async () => {
    await visit('/quarantine', 'quarantine');
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: quarantinedId }) });
    const text = (await row.textContent()) ?? '';
    assert.match(text, /CurrencyCode/);
    assert.match(text, /is not an ISO 4217 code/);
    assert.match(text, /<script>window\.__owned=2/);
    assert.match(text, /Not yet/);
    await assertNothingInjected();
    // And by its record ID in the search, under "held back".
    await visit(`/search?q=${quarantinedId}&kind=record`);
    const held = page.getByRole('table', { name: 'Quarantined records, newest first' });
    assert.match((await held.textContent()) ?? '', /is not an ISO 4217 code/);
  });

  it('a bad parameter is a 400 that says what is wrong; an unknown file a 404', async () => {
    assert.equal(await visit('/files?page=0'), 400);
    assert.match(
      (await page.getByRole('alert').textContent()) ?? '',
      /"page" must be a whole number from 1 to 10000/,
    );
    assert.equal(await visit('/files?integration=nope'), 400);
    assert.equal(await visit('/search?q=x&kind=everything'), 400);
    assert.equal(await visit('/quarantine?limit=5000'), 400);
    assert.equal(await visit('/files?from=2026-02-30'), 400);
    assert.equal(await visit('/runs?sort=x'), 400);
    assert.equal(await visit('/files/999999'), 404);
    assert.equal(await visit("/files/1'or'1"), 404);
    const post = await fetch(`${ui.url}/files`, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  it('lists are bounded: limit=1 shows one record and a link to the next page', async () => {
    await visit(
      `/files/${(await stack.ledger.filesPage({ integrationId: ID, from: null, to: null, limit: 1, offset: 0 }))[0]!.fileId}?limit=1`,
    );
    const records = page.getByRole('table', { name: 'Records the file carried, in file order' });
    assert.equal(await records.locator('tbody tr').count(), 1);
    await page.getByRole('link', { name: 'Next page' }).click();
    assert.match(page.url(), /page=2/);
    assert.equal(await records.locator('tbody tr').count(), 1);
    assert.equal(await page.locator('td.num').first().textContent(), '2');
  });

  it('bound to a non-loopback address it refuses to start without a token, and refuses requests without it', async () => {
    await assert.rejects(
      startUiServer({
        ledger: stack.ledger,
        config: stack.config,
        host: '0.0.0.0',
        port: 0,
        auth: readUiAuth({}),
        temporal: { baseUrl: TEMPORAL_UI, namespace: 'default' },
      }),
      (err: unknown) => err instanceof UiAuthError && /not loopback\) without credentials/.test(err.message),
    );
    const open = await startUiServer({
      ledger: stack.ledger,
      config: stack.config,
      host: '0.0.0.0',
      port: 0,
      auth: readUiAuth({ ML_CONNECTOR_UI_TOKEN: TOKEN }),
      temporal: { baseUrl: TEMPORAL_UI, namespace: 'default' },
    });
    try {
      const url = open.url.replace('0.0.0.0', '127.0.0.1');
      const without = await fetch(`${url}/`);
      assert.equal(without.status, 401);
      assert.match(without.headers.get('www-authenticate') ?? '', /^Basic realm=/);
      const body = await without.text();
      assert.ok(!body.includes(TOKEN) && !body.includes(ID), 'nothing of the ledger or the token shown');
      assert.equal((await fetch(`${url}/`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status, 401);
      assert.equal((await fetch(`${url}/?token=${TOKEN}`)).status, 401, 'never taken from the query string');
      const bearer = await fetch(`${url}/`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(bearer.status, 200);
      const page = await bearer.text();
      assert.match(page, new RegExp(ID));
      assert.ok(!page.includes(TOKEN), 'the token is never shown');
      const basic = `Basic ${Buffer.from(`auditor:${TOKEN}`).toString('base64')}`;
      assert.equal((await fetch(`${url}/files`, { headers: { authorization: basic } })).status, 200);
      // Every response forbids scripts and framing.
      assert.match(bearer.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    } finally {
      await open.close();
    }
  });
});
