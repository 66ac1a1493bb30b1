import { Decimal } from 'decimal.js';
import { RecordFieldError } from '../shared/records';

// Field readers for mapping Fusion rows to typed records. Each names the record and the field
// when a value is missing or malformed, so a bad row is quarantined with a useful reason.

export type Raw = Record<string, unknown>;

const DECIMAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export class FieldReader {
  constructor(
    readonly recordId: string,
    /** Prefix for field names in errors, e.g. `invoiceLines[2].` */
    private readonly path = '',
  ) {}

  at(path: string): FieldReader {
    return new FieldReader(this.recordId, `${this.path}${path}`);
  }

  fail(field: string, reason: string): never {
    throw new RecordFieldError(this.recordId, `${this.path}${field}`, reason);
  }

  text(row: Raw, field: string): string | null {
    const v = row[field];
    return v === null || v === undefined ? null : String(v);
  }

  required(row: Raw, field: string): string {
    const v = this.text(row, field);
    if (v === null || v.trim() === '') this.fail(field, 'is missing');
    return v;
  }

  id(row: Raw, field: string): string {
    const v = this.required(row, field);
    if (!/^\d+$/.test(v)) this.fail(field, `is not an integer ID: ${JSON.stringify(v)}`);
    return v;
  }

  integer(row: Raw, field: string): number {
    const v = Number(this.required(row, field));
    if (!Number.isSafeInteger(v)) this.fail(field, 'is not an integer');
    return v;
  }

  amount(row: Raw, field: string): string | null {
    const v = this.text(row, field);
    if (v === null) return null;
    if (!DECIMAL.test(v)) this.fail(field, `is not a decimal number: ${JSON.stringify(v)}`);
    return new Decimal(v).toFixed();
  }

  requiredAmount(row: Raw, field: string): string {
    const v = this.amount(row, field);
    if (v === null) this.fail(field, 'is missing');
    return v;
  }

  date(row: Raw, field: string): string | null {
    const v = this.text(row, field);
    if (v === null) return null;
    // Some resources send a date-time where a date is documented; keep the date part.
    const day = v.slice(0, 10);
    if (!DATE.test(day)) this.fail(field, `is not a yyyy-MM-dd date: ${JSON.stringify(v)}`);
    return day;
  }

  requiredDate(row: Raw, field: string): string {
    const v = this.date(row, field);
    if (v === null) this.fail(field, 'is missing');
    return v;
  }

  currency(row: Raw, field: string): string {
    const v = this.required(row, field);
    if (!/^[A-Z]{3}$/.test(v)) this.fail(field, `is not an ISO 4217 code: ${v}`);
    return v;
  }

  flag(row: Raw, field: string): boolean | null {
    const v = row[field];
    if (v === null || v === undefined) return null;
    if (v === true || v === 'true' || v === 'Y') return true;
    if (v === false || v === 'false' || v === 'N') return false;
    return this.fail(field, `is not a boolean: ${JSON.stringify(v)}`);
  }

  /** RFC 3339 with an explicit offset → `…Z` (UTC, milliseconds). */
  instant(row: Raw, field: string): string {
    const v = this.required(row, field);
    if (!INSTANT.test(v)) this.fail(field, `is not a timestamp with a time zone: ${JSON.stringify(v)}`);
    return new Date(v).toISOString();
  }

  rows(row: Raw, child: string): Raw[] {
    const v = row[child];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(child, 'is not a list of rows');
    return v as Raw[];
  }
}

/** The latest LastUpdateDate in a document (parent and every descendant), as the record's version. */
export function latestUpdate(reader: FieldReader, doc: Raw, children: string[][]): string {
  let latest = reader.instant(doc, 'LastUpdateDate');
  const visit = (row: Raw, path: string[]) => {
    const [head, ...rest] = path;
    if (!head) return;
    for (const child of reader.rows(row, head)) {
      const at = child.LastUpdateDate;
      if (typeof at === 'string' && INSTANT.test(at)) {
        const iso = new Date(at).toISOString();
        if (iso > latest) latest = iso;
      }
      visit(child, rest);
    }
  };
  for (const path of children) visit(doc, path);
  return latest;
}
