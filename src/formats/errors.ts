// A layout or partner profile that cannot work, whatever the records: a configuration error, not a
// record error (RecordFieldError). It lists every problem at once so the operator fixes them in one go.
export class LayoutError extends Error {
  constructor(
    readonly layout: string,
    readonly problems: string[],
  ) {
    super(`${layout}: ${problems.join('; ')}`);
    this.name = 'LayoutError';
  }
}

/** Throws one LayoutError when `problems` is not empty. */
export function assertLayout(layout: string, problems: string[]): void {
  if (problems.length > 0) throw new LayoutError(layout, problems);
}
