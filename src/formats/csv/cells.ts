import { RecordFieldError } from '../../shared/records';
import { fixedAmount, parseDecimal } from '../amount';
import { currencyMinorUnits, type DecimalPlaces } from '../currency';
import { datePatternProblem, formatDate } from '../date';
import {
  type EntityFields,
  type FieldEnv,
  type FieldSpec,
  fieldLabel,
  type Row,
  resolveField,
  rowRecordId,
} from '../fields/types';
import { type CsvColumn, type CsvFileOptions, decimalPlacesProblems, neutraliseFormula } from './options';

// One compiled column: it knows its field, kind and format, and turns a row into one cell.

export interface CompiledColumn {
  header: string;
  /** The field, or undefined for a literal column. */
  spec: FieldSpec | undefined;
  path: string | undefined;
  cell(row: Row): string;
}

export function compileColumns(
  entity: EntityFields,
  columns: readonly CsvColumn[],
  options: CsvFileOptions,
  env: FieldEnv,
  where: string,
  problems: string[],
): CompiledColumn[] {
  if (columns.length === 0) problems.push(`${where}: at least one column is needed`);
  return columns.map((column, i) => {
    if ('literal' in column) {
      return { header: column.header, spec: undefined, path: undefined, cell: () => column.literal };
    }
    const resolved = resolveField(entity, column.field, env);
    if (typeof resolved === 'string') {
      problems.push(`${where}[${i}] (${column.header}): ${resolved}`);
      return { header: column.header, spec: undefined, path: column.field, cell: () => '' };
    }
    const places = column.decimalPlaces ?? options.decimalPlaces;
    problems.push(...decimalPlacesProblems(places, `${where}[${i}].decimalPlaces`));
    const dateFormat = column.dateFormat ?? options.dateFormat ?? 'yyyy-MM-dd';
    const dateProblem = datePatternProblem(dateFormat);
    if (dateProblem) problems.push(`${where}[${i}]: ${dateProblem}`);
    const booleans = options.booleanValues ?? ['Y', 'N'];
    const escapeFormulas = options.escapeFormulas ?? true;
    const format = { places, dateFormat, booleans, escapeFormulas, dates: new Map<string, string>() };
    return {
      header: column.header,
      spec: resolved,
      path: column.field,
      cell: (row) => renderCell(entity, resolved, row, column.field, env, format),
    };
  });
}

/** Formatted dates a column keeps; past this it starts again (a bound, not a cache policy). */
const DATES_KEPT = 1024;

function renderCell(
  entity: EntityFields,
  spec: FieldSpec,
  row: Row,
  path: string,
  env: FieldEnv,
  format: {
    places: DecimalPlaces;
    dateFormat: string;
    booleans: [string, string];
    escapeFormulas: boolean;
    /** The column's dates already formatted: a file's lines share a few accounting dates. */
    dates: Map<string, string>;
  },
): string {
  const value = spec.get(row, env);
  if (value === null || value === undefined) return '';
  const recordId = rowRecordId(row);
  const label = () => fieldLabel(entity, row, path, spec.level);
  switch (spec.kind) {
    case 'text':
      // Only free text from Fusion: literals, headers, codes and every value formatted here (a
      // negative amount `-12.50`, a date) are ours and must reach the reader unchanged.
      return format.escapeFormulas ? neutraliseFormula(String(value)) : String(value);
    case 'code':
    case 'integer':
      return String(value);
    case 'boolean':
      return value ? format.booleans[0] : format.booleans[1];
    case 'decimal':
      // Quantities and prices keep Fusion's digits (a price may carry more places than money).
      parseDecimal(String(value), recordId, label());
      return String(value);
    case 'amount': {
      let places = format.places;
      if (places === 'currency') {
        const currency = spec.currency?.(row, env);
        if (!currency)
          throw new RecordFieldError(recordId, label(), 'the currency of this amount is not known');
        places = currencyMinorUnits(currency);
      }
      return fixedAmount(String(value), places, recordId, label());
    }
    case 'date': {
      const text = String(value);
      let formatted = format.dates.get(text);
      if (formatted === undefined) {
        formatted = formatDate(text, format.dateFormat, recordId, label());
        if (format.dates.size >= DATES_KEPT) format.dates.clear();
        format.dates.set(text, formatted);
      }
      return formatted;
    }
  }
}
