// The answer of a pre-upload check: ok, or the list of what failed (each problem names the row,
// line, segment or field). A file with problems must not be uploaded.

export interface ValidationResult {
  ok: boolean;
  problems: string[];
}

/** Keep reports readable on a badly broken file. */
export const MAX_PROBLEMS = 20;

export function validationResult(problems: string[]): ValidationResult {
  const shown =
    problems.length > MAX_PROBLEMS
      ? [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more`]
      : problems;
  return { ok: problems.length === 0, problems: shown };
}

/** A file that failed its pre-upload check. */
export class FileValidationError extends Error {
  constructor(
    readonly format: 'csv' | 'fixedWidth' | 'x12',
    readonly problems: string[],
  ) {
    super(`${format} file failed validation: ${problems.join('; ')}`);
    this.name = 'FileValidationError';
  }
}

/** Throws FileValidationError unless the result is ok. */
export function assertValidFile(format: FileValidationError['format'], result: ValidationResult): void {
  if (!result.ok) throw new FileValidationError(format, result.problems);
}
