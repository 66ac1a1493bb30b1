// What a REST framework version cannot see. Said once, here: the worker logs it at start, `status`
// shows it, and the README repeats it.

/** The kinds of change a sync on this framework version misses or may miss; empty when none. */
export function frameworkLimitations(frameworkVersion: number): string[] {
  if (frameworkVersion >= 2) return [];
  return [
    'REST framework version 1 reads q as query-by-example (no "or"), so the top level is paged by offset: ' +
      'a row updated while a sync pages can shift a page boundary, and a row so skipped is sent only when it changes again',
    'REST framework version 1 cannot filter on child rows: a change only to a child (journal line, invoice line or ' +
      "distribution, PO schedule, supplier site) that does not move its parent's LastUpdateDate is not detected",
    'REST framework version 1 cannot resync by record ID',
  ];
}
