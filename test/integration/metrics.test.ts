import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdaptiveConcurrency } from '../../src/fusion';
import { createMetrics, type Metrics } from '../../src/observability/metrics';
import { type MetricsServer, startMetricsServer } from '../../src/observability/metricsServer';

// The metrics endpoint over real HTTP on loopback: events recorded through the Metrics API must
// come out of GET /metrics with exact values and labels. The clock is injected so the watermark
// lag can be shown to grow without waiting.

const GL = 'gl-journal-lines';
const AP = 'ap-invoices';
const START = Date.parse('2026-11-26T15:00:00Z');

/** Parses the text exposition format into `name{label="value",…}` (labels sorted) → value. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(sample, `not a sample line: ${line}`);
    const [, name, labelText = '', value] = sample;
    const labels = [...labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, key, val]) => `${key}="${val}"`)
      .sort();
    samples.set(labels.length ? `${name}{${labels.join(',')}}` : `${name}`, Number(value));
  }
  return samples;
}

describe('Prometheus metrics over HTTP', () => {
  let nowMs = START;
  let metrics: Metrics;
  let server: MetricsServer;

  before(async () => {
    metrics = createMetrics({ integrations: [GL, AP], now: () => nowMs });
    server = await startMetricsServer(metrics, { port: 0 });
  });
  after(() => server.close());

  async function scrape(): Promise<Map<string, number>> {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    return parseExposition(await res.text());
  }

  it('listens on loopback by default', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('exports what happened, with exact values and labels', async () => {
    metrics.recordsExtracted(GL, 95);
    metrics.recordsExtracted(GL, 10);
    metrics.recordsQuarantined(GL, 2);
    metrics.fileSent(GL, { bytes: 12_345, records: 93 });
    metrics.fileSent(GL, { bytes: 655, records: 1 });
    metrics.failure(GL, 'upload');
    metrics.failure(GL, 'upload');
    metrics.failure(AP, 'no-such-stage');
    metrics.watermarkMoved(GL, '2026-11-26T14:59:00Z');
    metrics.syncFinished(GL, 42.5);
    metrics.recordsExtracted(GL, -1); // dropped, not thrown

    const s = await scrape();
    const expected: Record<string, number> = {
      'mlc_records_extracted_total{integration="gl-journal-lines"}': 105,
      'mlc_records_extracted_total{integration="ap-invoices"}': 0,
      'mlc_records_sent_total{integration="gl-journal-lines"}': 94,
      'mlc_records_quarantined_total{integration="gl-journal-lines"}': 2,
      'mlc_records_quarantined_total{integration="ap-invoices"}': 0,
      'mlc_bytes_sent_total{integration="gl-journal-lines"}': 13_000,
      'mlc_files_sent_total{integration="gl-journal-lines"}': 2,
      'mlc_files_sent_total{integration="ap-invoices"}': 0,
      'mlc_failures_total{integration="gl-journal-lines",stage="upload"}': 2,
      'mlc_failures_total{integration="gl-journal-lines",stage="commit"}': 0,
      'mlc_failures_total{integration="ap-invoices",stage="other"}': 1,
      'mlc_watermark_timestamp_seconds{integration="gl-journal-lines"}':
        Date.parse('2026-11-26T14:59:00Z') / 1000,
      'mlc_watermark_lag_seconds{integration="gl-journal-lines"}': 60,
      'mlc_last_success_timestamp_seconds{integration="gl-journal-lines"}': START / 1000,
      'mlc_sync_duration_seconds_bucket{integration="gl-journal-lines",le="30"}': 0,
      'mlc_sync_duration_seconds_bucket{integration="gl-journal-lines",le="60"}': 1,
      'mlc_sync_duration_seconds_bucket{integration="gl-journal-lines",le="+Inf"}': 1,
      'mlc_sync_duration_seconds_sum{integration="gl-journal-lines"}': 42.5,
      'mlc_sync_duration_seconds_count{integration="gl-journal-lines"}': 1,
      'mlc_sync_duration_seconds_count{integration="ap-invoices"}': 0,
    };
    for (const [series, value] of Object.entries(expected)) assert.equal(s.get(series), value, series);

    // No watermark and no success yet for AP: no series, rather than a misleading 0.
    assert.equal(s.has('mlc_watermark_lag_seconds{integration="ap-invoices"}'), false);
    assert.equal(s.has('mlc_last_success_timestamp_seconds{integration="ap-invoices"}'), false);
    // The process metrics are on the same registry.
    assert.ok((s.get('process_cpu_user_seconds_total') ?? -1) >= 0);
    assert.ok((s.get('nodejs_heap_size_used_bytes') ?? 0) > 0);
  });

  it('computes the watermark lag when scraped, so a stuck integration shows a growing lag', async () => {
    metrics.watermarkMoved(GL, new Date(START - 60_000));
    nowMs = START + 90_000;
    assert.equal((await scrape()).get('mlc_watermark_lag_seconds{integration="gl-journal-lines"}'), 150);
    nowMs = START + 3_600_000;
    assert.equal((await scrape()).get('mlc_watermark_lag_seconds{integration="gl-journal-lines"}'), 3660);

    metrics.watermarkMoved(GL, new Date(nowMs - 5_000)); // a sync caught up
    assert.equal((await scrape()).get('mlc_watermark_lag_seconds{integration="gl-journal-lines"}'), 5);
  });

  it("shows where an integration's adaptive Fusion limit stands, the pace only while there is one", async () => {
    const limit = new AdaptiveConcurrency(8, 8);
    metrics.fusionRequests(GL, () => ({ limit: limit.limit, pace: limit.pace }));
    let samples = await scrape();
    assert.equal(samples.get('mlc_fusion_requests_at_once{integration="gl-journal-lines"}'), 8);
    assert.equal(
      samples.has('mlc_fusion_request_pace{integration="gl-journal-lines"}'),
      false,
      'no pace yet',
    );
    const permits = [];
    for (let i = 0; i < 8; i++) permits.push(await limit.acquire());
    for (const p of permits.slice(2)) limit.release(p, { kind: 'clean' });
    limit.release(permits[0]!, { kind: 'throttled' }); // 8 sent at once: paced at 28.8 a second
    limit.release(permits[1]!, { kind: 'unavailable' }); // a 503: the window cut to 5
    samples = await scrape();
    assert.equal(samples.get('mlc_fusion_requests_at_once{integration="gl-journal-lines"}'), 5);
    const pace = samples.get('mlc_fusion_request_pace{integration="gl-journal-lines"}');
    assert.ok(pace !== undefined && pace >= 28.8 && pace < 30, `pace ${pace}`);
  });

  it('declares each family with its type', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    for (const line of [
      '# TYPE mlc_records_extracted_total counter',
      '# TYPE mlc_failures_total counter',
      '# TYPE mlc_watermark_lag_seconds gauge',
      '# TYPE mlc_last_success_timestamp_seconds gauge',
      '# TYPE mlc_sync_duration_seconds histogram',
      '# TYPE mlc_fusion_requests_at_once gauge',
      '# TYPE mlc_fusion_request_pace gauge',
    ]) {
      assert.ok(text.split('\n').includes(line), line);
    }
  });

  it('answers /healthz, and 404 or 405 for anything else', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'ok\n');

    for (const path of ['/', '/metrics/extra', '/favicon.ico']) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
    const post = await fetch(`${server.url}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    await post.body?.cancel();
  });

  it('keeps registries apart: two instances do not share or clash', async () => {
    const other = createMetrics({ now: () => nowMs });
    other.recordsExtracted(GL, 7);
    const otherServer = await startMetricsServer(other, { port: 0 });
    try {
      const samples = parseExposition(await (await fetch(`${otherServer.url}/metrics`)).text());
      assert.equal(samples.get('mlc_records_extracted_total{integration="gl-journal-lines"}'), 7);
      assert.equal((await scrape()).get('mlc_records_extracted_total{integration="gl-journal-lines"}'), 105);
    } finally {
      await otherServer.close();
    }
    await assert.rejects(fetch(`${otherServer.url}/healthz`));
  });
});
