import { createHash } from 'node:crypto';
import type { IntegrationRuntime } from '../activities';
import { rendererFor, SAMPLE_ENVELOPE } from '../config/formats';
import { holdUnbalancedJournals } from '../formats/balance';
import { readChanges } from '../fusion';
import type { Ledger } from '../ledger';
import {
  type EntityName,
  type EntityRecordMap,
  type JournalLineRecord,
  RecordFieldError,
} from '../shared/records';

// `ml-connector preview <integration>`: what the next sync would send, rendered exactly as it
// would be, without staging, without moving the watermark and without drawing control numbers
// (X12 shows placeholder numbers). Reads Fusion and the ledger; writes nothing.

export interface Preview {
  integrationId: string;
  window: { from: string; to: string };
  extracted: number;
  alreadySent: number;
  wouldSend: number;
  quarantined: { recordId: string; field: string; reason: string }[];
  file: { extension: string; bytes: number; sha256: string; summary: Record<string, unknown> } | null;
  /** The rendered text, for --out (never written anywhere by preview itself). */
  text: string;
}

export async function previewNextFile(
  ledger: Ledger,
  rt: IntegrationRuntime,
  now = new Date(),
): Promise<Preview> {
  const { config } = rt;
  const watermark =
    (await ledger.watermark(config.id)) ?? new Date(config.fusion.initialWatermark).toISOString();
  const window = {
    from: new Date(Date.parse(watermark) - config.fusion.overlapSeconds * 1000).toISOString(),
    to: new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString(),
  };
  const renderer = rendererFor(config, SAMPLE_ENVELOPE, {
    fileName: 'preview',
    integration: config.id,
    windowTo: window.to,
  });
  const quarantined: Preview['quarantined'] = [];
  const parts: string[] = [renderer.begin()];
  let extracted = 0;
  let alreadySent = 0;
  for await (const page of readChanges(rt.fusion.client, config.entity, window, rt.read)) {
    extracted += page.length;
    let good: EntityRecordMap[EntityName][] = [];
    for (const x of page) {
      if (x.ok) good.push(x.record);
      else quarantined.push({ recordId: x.recordId, field: x.error.field, reason: x.error.reason });
    }
    if (config.entity === 'journalLines' && !config.allowUnbalancedJournals) {
      const { balanced, held } = holdUnbalancedJournals(good as JournalLineRecord[]);
      for (const h of held)
        quarantined.push({ recordId: h.line.recordId, field: 'journal balance', reason: h.reason });
      good = balanced;
    }
    const sent = await ledger.alreadySent(
      config.id,
      good.map((r) => ({
        recordId: r.recordId,
        version: r.version,
        payload: r as unknown as Record<string, unknown>,
      })),
    );
    alreadySent += sent.size;
    for (const record of good) {
      if (sent.has(record.recordId)) continue;
      try {
        parts.push(renderer.record(record));
      } catch (err) {
        if (!(err instanceof RecordFieldError)) throw err;
        quarantined.push({ recordId: err.recordId, field: err.field, reason: err.reason });
      }
    }
  }
  const wouldSend = renderer.written();
  if (wouldSend > 0) parts.push(renderer.end());
  const text = wouldSend > 0 ? parts.join('') : '';
  const bytes = Buffer.from(text, 'utf8');
  return {
    integrationId: config.id,
    window,
    extracted,
    alreadySent,
    wouldSend,
    quarantined,
    file: wouldSend
      ? {
          extension: config.format.type === 'csv' ? 'csv' : config.format.type === 'x12' ? 'x12' : 'txt',
          bytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          summary: renderer.summary(),
        }
      : null,
    text,
  };
}
