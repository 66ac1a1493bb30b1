import { RecordFieldError } from '../shared/records';

// Positional and EDI formats count characters, and receivers read them as single-byte text: a "é"
// would be two bytes in UTF-8 and shift every column after it. So text for those formats is ASCII.
//   'reject'        → any non-ASCII character is a RecordFieldError naming the record and field.
//   'transliterate' → letters with accents lose them (é → e, ß → ss, Ø → O); a character with no
//                     ASCII spelling (e.g. 東) is still an error: we never write "?" in its place.
export type NonAsciiPolicy = 'reject' | 'transliterate';

const SPELLED: Readonly<Record<string, string>> = {
  ß: 'ss',
  Æ: 'AE',
  æ: 'ae',
  Ø: 'O',
  ø: 'o',
  Œ: 'OE',
  œ: 'oe',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Þ: 'TH',
  þ: 'th',
  ı: 'i',
  '\u2018': "'",
  '\u2019': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u00A0': ' ',
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find non-ASCII characters
const NON_ASCII = /[^\x00-\x7F]/;

/** The value in ASCII per the policy; a RecordFieldError for what cannot be written. */
export function toAscii(value: string, policy: NonAsciiPolicy, recordId: string, field: string): string {
  if (!NON_ASCII.test(value)) return value;
  if (policy === 'reject') {
    const ch = NON_ASCII.exec(value)![0];
    throw new RecordFieldError(recordId, field, `non-ASCII character "${ch}" (policy: reject)`);
  }
  let out = '';
  for (const ch of value) {
    if (!NON_ASCII.test(ch)) {
      out += ch;
      continue;
    }
    const spelled = SPELLED[ch] ?? ch.normalize('NFKD').replace(/\p{M}/gu, '');
    if (NON_ASCII.test(spelled) || spelled === '') {
      throw new RecordFieldError(recordId, field, `character "${ch}" has no ASCII transliteration`);
    }
    out += spelled;
  }
  return out;
}
