import type { RunProgress } from '../ledger';

// Progress for people at a terminal: one line on stderr, redrawn in place when stderr is a TTY;
// otherwise (a log file, CI) a plain line now and then and whenever the stage changes.

/** A run's progress in words: `extract: 12 pages, 840 read, 830 staged`. */
export function describeProgress(stage: string, p: RunProgress): string {
  const n = (v: number | undefined) => (v ?? 0).toLocaleString('en-US');
  switch (stage) {
    case 'extract':
      return `extract: ${n(p.pages)} pages, ${n(p.extracted)} read, ${n(p.staged)} staged${
        p.alreadySent ? `, ${n(p.alreadySent)} already sent` : ''
      }${p.quarantined ? `, ${n(p.quarantined)} quarantined` : ''}`;
    case 'render':
      return `render: ${n(p.rendered)}/${n(p.staged)} records`;
    case 'upload':
      return p.bytesTotal === undefined
        ? 'upload: starting'
        : `upload: ${size(p.bytesUploaded ?? 0)} of ${size(p.bytesTotal)}`;
    default:
      return `${stage}: ${n(p.staged)} records`;
  }
}

/** `812 B`, `40.2 kB`, `12.3 MB`. */
export function size(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** `[#########-----------]  45 %`: a bar for a fraction of 1. */
export function bar(fraction: number, width = 20): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)} %`;
}

/**
 * How far a sync is, as a fraction: extraction is open-ended (no total from Fusion), so the stages
 * are weighted: extract up to 60 %, render to 85 %, upload to 99 %, 100 % only when it committed.
 */
export function syncFraction(stage: string, p: RunProgress): number {
  switch (stage) {
    case 'extract':
      // Grows with the pages but never reaches the end of the stage: the total is unknown.
      return 0.6 * (1 - 1 / (1 + (p.pages ?? 0) / 20));
    case 'render':
      return 0.6 + 0.25 * ratio(p.rendered, p.staged);
    case 'upload':
      return 0.85 + 0.14 * ratio(p.bytesUploaded, p.bytesTotal);
    default:
      return 0.99;
  }
}

function ratio(done: number | undefined, total: number | undefined): number {
  return total ? Math.min(1, (done ?? 0) / total) : 0;
}

export interface LiveLine {
  /** The line now (drawn in place on a TTY; printed when it changed stage or every `everyMs` otherwise). */
  update(line: string, key?: string): void;
  /** The last line, then a line break. */
  done(line: string): void;
  /** Takes back a line drawn in place (a failure's cause is printed next, in its stead). */
  clear(): void;
}

export function liveLine(
  out: NodeJS.WriteStream = process.stderr,
  everyMs = 10_000,
  now: () => number = Date.now,
): LiveLine {
  const tty = out.isTTY === true;
  let printedAt = 0;
  let lastKey: string | undefined;
  return {
    update(line, key) {
      if (tty) {
        out.write(`\r\x1b[2K${line}`);
        return;
      }
      if (key !== lastKey || now() - printedAt >= everyMs) {
        out.write(`${line}\n`);
        printedAt = now();
        lastKey = key;
      }
    },
    done(line) {
      out.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
    clear() {
      if (tty) out.write('\r\x1b[2K');
    },
  };
}
