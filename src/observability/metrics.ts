import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { RUN_STAGES } from '../shared/stages';

// Prometheus metrics for what finance asks about: how much moved, what was held back, what failed
// where, and how far behind Fusion the ledger is. Each call gets its own Registry (never the
// global one), so tests and tools can hold several side by side. Labels are only the integration
// ID and a closed set of stages: bounded by configuration, and never record data or secrets.

/** Syncs take from seconds (nothing new) to an hour (a first load of a large ledger). */
const SYNC_DURATION_BUCKETS_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export interface MetricsOptions {
  /**
   * Integrations known at start. Their counters are exported at 0 before the first sync, so
   * `increase()` sees the first event and an alert on failures has a series to watch.
   */
  integrations?: readonly string[];
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now?: () => number;
  /** Process and Node.js runtime metrics (CPU, memory, event loop, GC). Default true. */
  defaultMetrics?: boolean;
}

export interface Metrics {
  /** The registry to scrape (`registry.metrics()`, `registry.contentType`). */
  readonly registry: Registry;
  /** Records read from Fusion in a run's window (before the ledger drops those already sent). */
  recordsExtracted(integration: string, count: number): void;
  /** Records held back because they cannot be sent as they are (see quarantined_record). */
  recordsQuarantined(integration: string, count: number): void;
  /** A file was delivered to the SFTP server (a verified upload, not a retry that found it there). */
  fileSent(integration: string, file: { bytes: number; records: number }): void;
  /** A run failed at `stage` (RUN_STAGES, src/shared/stages.ts; anything else counts as `other`). */
  failure(integration: string, stage: string): void;
  /** The watermark was committed; the lag gauge counts from it at every scrape. */
  watermarkMoved(integration: string, watermark: string | Date): void;
  /** A sync ended successfully (with or without a file) after `durationSeconds`. */
  syncFinished(integration: string, durationSeconds: number): void;
  /**
   * Where an integration's adaptive Fusion limit stands (fusion.parallelPages unset), read at each
   * scrape: requests allowed at once, and the pace a 429 set (Infinity: none).
   */
  fusionRequests(integration: string, read: () => { limit: number; pace: number }): void;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  const registers = [registry];
  const labelNames = ['integration'] as const;

  const recordsExtracted = new Counter({
    name: 'mlc_records_extracted_total',
    help: 'Records read from Fusion in sync windows, before already-sent versions are dropped.',
    labelNames,
    registers,
  });
  const recordsSent = new Counter({
    name: 'mlc_records_sent_total',
    help: 'Records delivered in files to the SFTP server.',
    labelNames,
    registers,
  });
  const recordsQuarantined = new Counter({
    name: 'mlc_records_quarantined_total',
    help: 'Records held back because they failed validation or could not be written in the format.',
    labelNames,
    registers,
  });
  const bytesSent = new Counter({
    name: 'mlc_bytes_sent_total',
    help: 'Bytes of files delivered to the SFTP server (as stored: after PGP encryption when used).',
    labelNames,
    registers,
  });
  const filesSent = new Counter({
    name: 'mlc_files_sent_total',
    help: 'Files delivered to the SFTP server.',
    labelNames,
    registers,
  });
  const failures = new Counter({
    name: 'mlc_failures_total',
    help: 'Sync runs that failed, by the stage they failed at.',
    labelNames: ['integration', 'stage'] as const,
    registers,
  });
  const watermarkTimestamp = new Gauge({
    name: 'mlc_watermark_timestamp_seconds',
    help: 'The committed watermark: every Fusion change up to this time has been delivered (Unix seconds).',
    labelNames,
    registers,
  });
  // Kept in milliseconds so the lag below is computed when scraped, not when the watermark moved:
  // a stuck integration then shows a lag that keeps growing.
  const watermarkAt = new Map<string, number>();
  new Gauge({
    name: 'mlc_watermark_lag_seconds',
    help: 'Seconds between now and the committed watermark: how far the delivered data is behind Fusion.',
    labelNames,
    registers,
    collect() {
      for (const [integration, at] of watermarkAt) this.set({ integration }, (now() - at) / 1000);
    },
  });
  const lastSuccess = new Gauge({
    name: 'mlc_last_success_timestamp_seconds',
    help: 'When a sync last ended successfully (Unix seconds).',
    labelNames,
    registers,
  });
  const fusionLimits = new Map<string, () => { limit: number; pace: number }>();
  new Gauge({
    name: 'mlc_fusion_requests_at_once',
    help: 'Fusion requests the adaptive limit allows at once now (fusion.parallelPages unset).',
    labelNames,
    registers,
    collect() {
      for (const [integration, read] of fusionLimits) this.set({ integration }, read().limit);
    },
  });
  new Gauge({
    name: 'mlc_fusion_request_pace',
    help: 'Fusion requests a second the adaptive limit allows since the pod answered 429 (no series: no pace).',
    labelNames,
    registers,
    collect() {
      this.reset(); // a pace forgotten since the last scrape leaves no series behind
      for (const [integration, read] of fusionLimits) {
        const { pace } = read();
        if (Number.isFinite(pace)) this.set({ integration }, pace);
      }
    },
  });
  const syncDuration = new Histogram({
    name: 'mlc_sync_duration_seconds',
    help: 'Duration of successful syncs.',
    labelNames,
    buckets: SYNC_DURATION_BUCKETS_SECONDS,
    registers,
  });

  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  for (const integration of options.integrations ?? []) {
    for (const counter of [recordsExtracted, recordsSent, recordsQuarantined, bytesSent, filesSent]) {
      counter.inc({ integration }, 0);
    }
    for (const stage of RUN_STAGES) failures.inc({ integration, stage }, 0);
    syncDuration.zero({ integration });
  }

  // Metrics must never fail a sync: a count that is not a non-negative number is dropped, since
  // prom-client would throw (a counter cannot go down).
  const add = (counter: Counter<'integration'>, integration: string, count: number) => {
    if (Number.isFinite(count) && count >= 0) counter.inc({ integration }, count);
  };

  return {
    registry,
    recordsExtracted: (integration, count) => add(recordsExtracted, integration, count),
    recordsQuarantined: (integration, count) => add(recordsQuarantined, integration, count),
    fileSent(integration, file) {
      add(filesSent, integration, 1);
      add(bytesSent, integration, file.bytes);
      add(recordsSent, integration, file.records);
    },
    failure(integration, stage) {
      const known = (RUN_STAGES as readonly string[]).includes(stage);
      failures.inc({ integration, stage: known ? stage : 'other' });
    },
    watermarkMoved(integration, watermark) {
      const at = watermark instanceof Date ? watermark.getTime() : Date.parse(watermark);
      if (Number.isNaN(at)) return;
      watermarkAt.set(integration, at);
      watermarkTimestamp.set({ integration }, at / 1000);
    },
    syncFinished(integration, durationSeconds) {
      if (Number.isFinite(durationSeconds) && durationSeconds >= 0) {
        syncDuration.observe({ integration }, durationSeconds);
      }
      lastSuccess.set({ integration }, now() / 1000);
    },
    fusionRequests(integration, read) {
      fusionLimits.set(integration, read);
    },
  };
}
