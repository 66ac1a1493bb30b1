// The read window of a live sync, said once: the ledger opens runs with it and preview shows it.

/** A window's frozen end: the whole second the run starts in (later stamps wait for the next run). */
export function windowEnd(nowMs: number): string {
  return new Date(Math.floor(nowMs / 1000) * 1000).toISOString();
}

/**
 * The start of the next live window: the watermark (or, before the first sync, the configured
 * initial one) less the overlap, so rows committed late behind an earlier window are read again.
 */
export function liveWindowFrom(
  watermark: string | null,
  initialWatermark: string,
  overlapSeconds: number,
): string {
  return new Date(Date.parse(watermark ?? initialWatermark) - overlapSeconds * 1000).toISOString();
}
