import { createHash } from 'node:crypto';
import { rendererFor, SAMPLE_ENVELOPE } from '../config/formats';
import { readChanges } from '../fusion';
import type { IntegrationRuntime } from '../integrations';
import type { Ledger } from '../ledger';
import { type AnyRecord, classifyPage, fileExtension, renderRecords } from '../pipeline';
import { latestVersions } from '../shared/records';
import { liveWindowFrom, windowEnd } from '../shared/window';

// `ml-connector preview <integration>`: what the next sync would send, rendered exactly as it
// would be, without staging, without moving the watermark and without drawing control numbers
// (X12 shows placeholder numbers). Reads Fusion and the ledger; writes nothing. The window, the
// page rules, the latest-version rule and the render loop with its check are the sync's own
// (src/pipeline, src/shared/window), so the preview is the next file by construction.

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
  const window = {
    from: liveWindowFrom(
      await ledger.watermark(config.id),
      config.fusion.initialWatermark,
      config.fusion.overlapSeconds,
    ),
    to: windowEnd(now.getTime()),
  };
  const quarantined: Preview['quarantined'] = [];
  const fresh: AnyRecord[] = [];
  let extracted = 0;
  let alreadySent = 0;
  for await (const page of readChanges(rt.fusion.client, config.entity, window, rt.read)) {
    extracted += page.length;
    const { good, bad } = classifyPage(page, config);
    for (const b of bad)
      quarantined.push({ recordId: b.recordId, field: b.error.field, reason: b.error.reason });
    // As staging does: the page's latest versions, less those the ledger holds.
    const candidates = latestVersions(good);
    const sent = await ledger.alreadySent(
      config.id,
      candidates.map((r) => ({
        recordId: r.recordId,
        version: r.version,
        payload: r as unknown as Record<string, unknown>,
      })),
    );
    alreadySent += sent.size;
    fresh.push(...candidates.filter((r) => !sent.has(r.recordId)));
  }
  const renderer = rendererFor(config, SAMPLE_ENVELOPE, {
    fileName: 'preview',
    integration: config.id,
    windowTo: window.to,
  });
  const parts: string[] = [];
  // A record staged twice keeps its first place with its latest version (the staging upsert).
  const records = latestVersions(fresh).map((record, seq) => ({ seq, record }));
  const wouldSend = await renderRecords(
    renderer,
    config.format.type,
    (async function* () {
      yield records;
    })(),
    {
      emit: async (text) => {
        parts.push(text);
      },
      reject: async (_seq, _record, err) => {
        quarantined.push({ recordId: err.recordId, field: err.field, reason: err.reason });
      },
    },
  );
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
          extension: fileExtension(config.format.type),
          bytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          summary: renderer.summary(),
        }
      : null,
    text,
  };
}
