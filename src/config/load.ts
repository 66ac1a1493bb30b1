import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { type ParseOptions, printParseErrorCode, visit } from 'jsonc-parser';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { ConfigError, UNKNOWN_KEY_MESSAGE } from './errors';
import { parseConfig } from './parse';
import type { ConfigFile } from './schema';

// Reads the configuration file (YAML or JSON) and validates it with the one schema. Every problem
// is reported at once, prefixed with file:line:column of the node it is about, so an admin can go
// straight to it. Only paths and messages are printed, never values: a misplaced secret stays unseen.

export type ConfigFormat = 'yaml' | 'json';

/** `.yaml` and `.yml` are YAML; anything else is read as JSON, as before YAML was supported. */
export function configFormatOf(path: string): ConfigFormat {
  const ext = extname(path).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : 'json';
}

export function loadConfig(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `Cannot read the configuration file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. ` +
        'Set ML_CONNECTOR_CONFIG to its path.',
    );
  }
  return parseConfigText(text, configFormatOf(path), path);
}

/** Parses and validates configuration text; `source` names it in every problem. */
export function parseConfigText(text: string, format: ConfigFormat, source = 'configuration'): ConfigFile {
  const body = withoutBom(text);
  const { doc, data } = format === 'yaml' ? readYaml(body, source) : readJson(body, source);
  try {
    return parseConfig(data, source);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(`${source} is not valid:`, locateProblems(doc, body, err.problems, source));
  }
}

/**
 * Prefixes each validation problem (`path: message`, as `parseConfig` words them) with
 * `source:line:column` of the node the path names, or of its nearest existing parent when the key
 * is missing. A problem whose path cannot be read keeps just the source name. JSON text is read
 * by the same YAML parser (JSON is YAML 1.2), so one function serves both formats.
 */
export function configProblemsWithLines(
  text: string,
  problems: readonly string[],
  source = 'configuration',
): string[] {
  const body = withoutBom(text);
  return locateProblems(yamlDocument(body), body, problems, source);
}

// --- reading -------------------------------------------------------------------------------------

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function yamlDocument(text: string): Document.Parsed {
  // prettyErrors off: pretty messages quote the offending source line, which could hold a secret.
  return parseDocument(text, { prettyErrors: false, uniqueKeys: true, version: '1.2' });
}

function readYaml(text: string, source: string): { doc: Document.Parsed; data: unknown } {
  const doc = yamlDocument(text);
  if (doc.errors.length > 0) {
    const at = locator(source, text);
    throw new ConfigError(
      `${source} is not valid YAML:`,
      doc.errors.map((e) => `${at(e.pos[0])} ${yamlErrorMessage(e.code, e.message)}`),
    );
  }
  try {
    return { doc, data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    // e.g. an alias that expands too many times ("billion laughs").
    throw new ConfigError(`${source} is not valid YAML: ${(err as Error).message}`);
  }
}

function readJson(text: string, source: string): { doc: Document.Parsed; data: unknown } {
  // Checked by jsonc-parser first: JSON.parse's messages quote the text around the error.
  const syntaxError = findJsonSyntaxError(text);
  if (syntaxError) {
    throw new ConfigError(`${source} is not valid JSON:`, [
      `${locator(source, text)(syntaxError.offset)} ${syntaxError.reason}`,
    ]);
  }
  // JSON is YAML 1.2, so the YAML parser gives every node's position; it also refuses duplicate
  // keys, which JSON.parse would silently resolve to the last one.
  const doc = yamlDocument(text);
  const duplicates = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
  if (duplicates.length > 0) {
    const at = locator(source, text);
    throw new ConfigError(
      `${source} is not valid:`,
      duplicates.map((e) => `${at(e.pos[0])} ${yamlErrorMessage(e.code, e.message)}`),
    );
  }
  try {
    return { doc, data: JSON.parse(text) as unknown };
  } catch {
    // Not reached for text the strict check passed; kept so JSON.parse's quoting message never shows.
    throw new ConfigError(`${source} is not valid JSON.`);
  }
}

/** YAML's own wording, minus any quoted source text (it follows a colon, or is an escape sequence). */
function yamlErrorMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: each key may appear only once in a mapping';
  if (code === 'BAD_DQ_ESCAPE') return 'invalid escape sequence in a double-quoted string';
  const colon = message.indexOf(': ');
  return colon === -1 ? message : message.slice(0, colon);
}

// --- positions -----------------------------------------------------------------------------------

/**
 * `source:line:column` of an offset. The line starts are registered from the text itself rather
 * than by the YAML parser's `lineCounter` option: on text that is not valid YAML the parser skips
 * some newlines, and a syntax error is exactly when the position matters.
 */
function locator(source: string, text: string): (offset: number) => string {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) lines.addNewLine(nl + 1);
  return (offset) => {
    const { line, col } = lines.linePos(offset);
    return `${source}:${line}:${col}`;
  };
}

function locateProblems(
  doc: Document.Parsed,
  text: string,
  problems: readonly string[],
  source: string,
): string[] {
  const at = locator(source, text);
  return problems.map((problem) => {
    const offset = problemOffset(doc, problem);
    return offset === null ? `${source} ${problem}` : `${at(offset)} ${problem}`;
  });
}

function problemOffset(doc: Document.Parsed, problem: string): number | null {
  const split = problem.indexOf(': ');
  if (split === -1) return null;
  const pathText = problem.slice(0, split);
  const message = problem.slice(split + 2);
  const path = pathText === '(top level)' ? '' : pathText;
  // An unknown key is reported on its object; point at the (first) key itself.
  const unknownKey = UNKNOWN_KEY_MESSAGE.exec(message)?.[1];
  if (unknownKey === undefined) return offsetOfPath(doc, path, 'value');
  const key = JSON.parse(unknownKey) as string;
  return offsetOfPath(doc, path ? `${path}.${key}` : key, 'key');
}

/**
 * Walks the document along a printed path (`a.b[0].c`) and returns the offset of the node it
 * names: a scalar value itself (or its key when `target` is 'key'), a collection by its key, a
 * missing key by its nearest parent.
 * Keys are matched against the remaining text, longest first, so a key containing `.` still matches.
 */
function offsetOfPath(doc: Document.Parsed, path: string, target: 'value' | 'key'): number {
  let node: unknown = doc.contents;
  let best: number = rangeStart(node) ?? 0;
  let rest = path;
  while (rest) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isSeq(node)) {
      const index = /^\[(\d+)\]/.exec(rest);
      const item = index ? node.items[Number(index[1])] : undefined;
      if (!index || item === undefined) break;
      node = item;
      best = rangeStart(item) ?? best;
      rest = rest.slice(index[0].length);
    } else if (isMap(node)) {
      const remaining = rest.startsWith('.') ? rest.slice(1) : rest;
      let matched: { key: string; pair: (typeof node.items)[number] } | undefined;
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key === undefined || (matched && matched.key.length >= key.length)) continue;
        const next = remaining.charAt(key.length);
        if (remaining.startsWith(key) && (next === '' || next === '.' || next === '[')) {
          matched = { key, pair };
        }
      }
      if (!matched) break;
      rest = remaining.slice(matched.key.length);
      node = matched.pair.value;
      const pointAtValue = rest === '' && target === 'value' && isScalar(node);
      best = (pointAtValue ? rangeStart(node) : undefined) ?? rangeStart(matched.pair.key) ?? best;
    } else {
      break;
    }
  }
  return best;
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range?.[0];
  }
  return undefined;
}

// --- strict JSON syntax --------------------------------------------------------------------------

const MAX_JSON_DEPTH = 512;
const STRICT_JSON: ParseOptions = {
  disallowComments: true,
  allowTrailingComma: false,
  allowEmptyContent: false,
};

class JsonSyntax {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

/**
 * The offset and reason of the first JSON syntax error, or null for valid JSON (RFC 8259). The YAML
 * parser would accept comments, trailing commas and unquoted text, so `.json` files are checked by
 * jsonc-parser in strict mode. Its error codes are reworded with what the parser was expecting at
 * that point, tracked from the visitor's callbacks (which run before the next token is scanned).
 */
export function findJsonSyntaxError(text: string): { offset: number; reason: string } | null {
  const open: ('}' | ']')[] = [];
  let expecting: 'value' | 'key' | 'colon' | 'separator' | 'end' = 'value';
  let commaAt: number | null = null; // the comma just read, to name a trailing comma
  const afterValue = () => {
    expecting = open.length === 0 ? 'end' : 'separator';
    commaAt = null;
  };
  const begin = (close: '}' | ']', offset: number) => {
    if (open.length >= MAX_JSON_DEPTH) throw new JsonSyntax(offset, 'nested too deeply');
    open.push(close);
    expecting = close === '}' ? 'key' : 'value';
    commaAt = null;
  };
  const end = () => {
    open.pop();
    afterValue();
  };
  const reasonFor = (code: string, offset: number, length: number): JsonSyntax => {
    const close = open.at(-1) ?? '}';
    switch (code) {
      case 'UnexpectedEndOfString':
        // jsonc-parser ends a string at a line break as well as at the end of the file.
        return offset + length >= text.length
          ? new JsonSyntax(text.length, 'unterminated string')
          : new JsonSyntax(offset + length, 'a newline inside a string must be escaped as \\n');
      case 'InvalidCharacter':
        return new JsonSyntax(offset, 'a tab or other control character inside this string must be escaped');
      case 'InvalidEscapeCharacter':
        return new JsonSyntax(offset, 'invalid escape sequence in this string');
      case 'InvalidUnicode':
        return new JsonSyntax(offset, '\\u must be followed by 4 hex digits in this string');
      case 'UnexpectedEndOfNumber':
      case 'InvalidNumberFormat':
        return new JsonSyntax(offset, 'incomplete number');
    }
    if (offset >= text.length) return new JsonSyntax(offset, 'unexpected end of file');
    if (commaAt !== null && text.charAt(offset) === close) {
      return new JsonSyntax(commaAt, `trailing comma before '${close}'`);
    }
    if (code === 'InvalidCommentToken' && expecting !== 'key') {
      return new JsonSyntax(offset, 'comments are not allowed in JSON');
    }
    const expected = {
      key: 'expected a key in double quotes (comments are not allowed in JSON)',
      colon: "expected ':' after the key",
      value: 'expected a value (strings need double quotes)',
      separator: `expected ',' or '${close}'`,
      end: 'unexpected text after the end of the JSON value',
    } as const;
    return new JsonSyntax(offset, expected[expecting]);
  };
  try {
    visit(
      text,
      {
        onObjectBegin: (offset) => begin('}', offset),
        onArrayBegin: (offset) => begin(']', offset),
        onObjectEnd: end,
        onArrayEnd: end,
        onObjectProperty: () => {
          expecting = 'colon';
          commaAt = null;
        },
        onLiteralValue: afterValue,
        onSeparator: (separator, offset) => {
          expecting = separator === ':' ? 'value' : open.at(-1) === '}' ? 'key' : 'value';
          commaAt = separator === ',' ? offset : null;
        },
        // Stop at the first error: later ones are mostly its echoes.
        onError: (code, offset, length) => {
          throw reasonFor(printParseErrorCode(code), offset, length);
        },
      },
      STRICT_JSON,
    );
    return null;
  } catch (err) {
    if (err instanceof JsonSyntax) return { offset: err.offset, reason: err.reason };
    throw err;
  }
}
