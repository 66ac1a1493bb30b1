// Reads the functional (997) and implementation (999) acknowledgements a partner sends back for the
// 810/850 files we deliver. Pure: bytes in, a plain result out; nothing here touches the ledger.
//
// A small strict segment parser rather than node-x12: an acknowledgement comes from outside and is
// hostile input, so we want (1) a hard size bound checked before any parsing, (2) errors that name
// the file, the segment number and its ID (node-x12's errors name neither), and (3) to refuse
// loops we do not understand instead of silently mapping them. The grammar needed is tiny
// (ISA/GS/ST/AK1/AK2/AK3|IK3/AK4|IK4/AK5|IK5/AK9/SE/GE/IEA), so the parser stays short.

/** Largest acknowledgement we read; a 997 for thousands of sets is still far below this. */
export const MAX_ACK_BYTES = 1024 * 1024;
const MAX_ELEMENT = 256;

export type AckSetStatus = 'A' | 'E' | 'R' | 'M' | 'W' | 'X';
export type AckGroupStatus = 'A' | 'E' | 'P' | 'R' | 'M' | 'W' | 'X';
const SET_STATUSES = new Set(['A', 'E', 'R', 'M', 'W', 'X']);
const GROUP_STATUSES = new Set(['A', 'E', 'P', 'R', 'M', 'W', 'X']);

export interface AckSegmentError {
  /** AK3-01 / IK3-01: the segment ID in error. */
  segmentId: string;
  /** AK3-02 / IK3-02: its position in the set. */
  position: string;
  /** AK3-04 / IK3-04: the segment syntax error code. */
  code: string;
  elements: AckElementError[];
}

export interface AckElementError {
  /** AK4-01 / IK4-01 (position in segment, possibly with composite position). */
  position: string;
  /** AK4-03 / IK4-03: the element syntax error code. */
  code: string;
  /** AK4-04 / IK4-04: a copy of the bad data, if sent (bounded). */
  data?: string;
}

export interface AckSet {
  /** AK2-01: the transaction set ID acknowledged (810, 850). */
  setId: string;
  /** AK2-02: its ST02. */
  controlNumber: string;
  /** AK5-01 / IK5-01. */
  status: AckSetStatus;
  /** AK5-02..06 / IK5-02..06: set-level error codes. */
  codes: string[];
  segmentErrors: AckSegmentError[];
}

export interface AckGroup {
  /** AK1-01: the functional identifier acknowledged (IN, PO). */
  functionalId: string;
  /** AK1-02: the acknowledged group's GS06. */
  groupControlNumber: string;
  sets: AckSet[];
  /** AK9-01. */
  status: AckGroupStatus;
  /** AK9-02..04: sets included, received, accepted. */
  included: number;
  received: number;
  accepted: number;
  /** AK9-05..09: group-level error codes. */
  codes: string[];
}

export interface X12Acknowledgement {
  fileName: string;
  kind: '997' | '999';
  /** The acknowledgement's own ISA13. */
  interchangeControlNumber: string;
  groups: AckGroup[];
}

export class AckParseError extends Error {
  constructor(
    readonly fileName: string,
    readonly segment: string,
    readonly reason: string,
  ) {
    super(`acknowledgement ${fileName}: ${segment}: ${reason}`);
    this.name = 'AckParseError';
  }
}

type Seg = { id: string; el: string[]; n: number };

function splitSegments(fileName: string, bytes: Buffer): Seg[] {
  if (bytes.length > MAX_ACK_BYTES)
    throw new AckParseError(
      fileName,
      'file',
      `${bytes.length} bytes exceeds the ${MAX_ACK_BYTES}-byte limit`,
    );
  const text = bytes
    .toString('latin1')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (!text.startsWith('ISA') || text.length < 106)
    throw new AckParseError(fileName, 'segment 1 (ISA)', 'the file does not start with a 106-character ISA');
  const elementSep = text[3]!;
  const terminator = text[105]!;
  if (/[A-Za-z0-9 ]/.test(elementSep) || /[A-Za-z0-9 ]/.test(terminator) || elementSep === terminator)
    throw new AckParseError(fileName, 'segment 1 (ISA)', 'no usable element separator / segment terminator');
  const segs: Seg[] = [];
  let n = 0;
  for (const raw of text.split(terminator)) {
    const s = raw.replace(/^[\r\n]+/, '').replace(/[\r\n]+$/, '');
    if (s === '') continue;
    n++;
    const parts = s.split(elementSep);
    const id = parts[0]!;
    if (!/^[A-Z][A-Z0-9]{1,2}$/.test(id))
      throw new AckParseError(fileName, `segment ${n}`, `"${id.slice(0, 10)}" is not a segment ID`);
    if (parts.some((p) => p.length > MAX_ELEMENT))
      throw new AckParseError(
        fileName,
        `segment ${n} (${id})`,
        `an element is longer than ${MAX_ELEMENT} characters`,
      );
    segs.push({ id, el: parts.slice(1), n });
  }
  return segs;
}

/** Parses a 997 or 999 acknowledgement. Throws AckParseError naming the file and segment. */
export function parseAcknowledgement(fileName: string, bytes: Buffer): X12Acknowledgement {
  const segs = splitSegments(fileName, bytes);
  let i = 0;
  const where = (s: Seg) => `segment ${s.n} (${s.id})`;
  const fail = (s: Seg | undefined, reason: string): never => {
    throw new AckParseError(fileName, s ? where(s) : 'end of file', reason);
  };
  const next = (id: string): Seg => {
    const s = segs[i];
    if (!s || s.id !== id) fail(s, `expected ${id}`);
    i++;
    return s!;
  };
  const req = (s: Seg, pos: number, name: string): string => {
    const v = (s.el[pos - 1] ?? '').trim();
    if (v === '') fail(s, `${s.id}${String(pos).padStart(2, '0')} (${name}) is missing`);
    return v;
  };
  const count = (s: Seg, pos: number, name: string): number => {
    const v = req(s, pos, name);
    if (!/^\d{1,6}$/.test(v))
      fail(s, `${s.id}${String(pos).padStart(2, '0')} (${name}) "${v}" is not a count`);
    return Number(v);
  };
  const codes = (s: Seg, from: number, to: number) =>
    s.el
      .slice(from - 1, to)
      .map((c) => c.trim())
      .filter((c) => c !== '');

  const isa = next('ISA');
  const interchangeControlNumber = req(isa, 13, 'interchange control number');
  if (!/^\d{9}$/.test(interchangeControlNumber))
    fail(isa, `ISA13 "${interchangeControlNumber}" is not 9 digits`);
  let kind: '997' | '999' | undefined;
  const groups: AckGroup[] = [];
  while (segs[i]?.id === 'GS') {
    const gs = next('GS');
    if (req(gs, 1, 'functional identifier') !== 'FA')
      fail(gs, 'GS01 must be FA (functional acknowledgement)');
    while (segs[i]?.id === 'ST') {
      const st = next('ST');
      const setKind = req(st, 1, 'transaction set ID');
      if (setKind !== '997' && setKind !== '999') fail(st, `ST01 "${setKind}" is not 997 or 999`);
      if (kind && kind !== setKind) fail(st, `mixes 997 and 999 sets`);
      kind = setKind as '997' | '999';
      const ak1 = next('AK1');
      const group: Omit<AckGroup, 'status' | 'included' | 'received' | 'accepted' | 'codes'> = {
        functionalId: req(ak1, 1, 'functional identifier'),
        groupControlNumber: req(ak1, 2, 'group control number'),
        sets: [],
      };
      const segErr = kind === '997' ? 'AK3' : 'IK3';
      const elErr = kind === '997' ? 'AK4' : 'IK4';
      const setResp = kind === '997' ? 'AK5' : 'IK5';
      while (segs[i]?.id === 'AK2') {
        const ak2 = next('AK2');
        const set: Omit<AckSet, 'status' | 'codes'> = {
          setId: req(ak2, 1, 'transaction set ID'),
          controlNumber: req(ak2, 2, 'transaction set control number'),
          segmentErrors: [],
        };
        while (segs[i]?.id === segErr) {
          const k3 = next(segErr);
          const e: AckSegmentError = {
            segmentId: req(k3, 1, 'segment ID'),
            position: req(k3, 2, 'segment position'),
            code: (k3.el[3] ?? '').trim(),
            elements: [],
          };
          while (segs[i]?.id === elErr || segs[i]?.id === 'CTX') {
            const k4 = segs[i++]!;
            if (k4.id === 'CTX') continue;
            const data = (k4.el[3] ?? '').slice(0, 80);
            e.elements.push({
              position: req(k4, 1, 'element position'),
              code: req(k4, 3, 'element syntax error code'),
              ...(data ? { data } : {}),
            });
          }
          set.segmentErrors.push(e);
        }
        const k5 = next(setResp);
        const status = req(k5, 1, 'transaction set acknowledgment code');
        if (!SET_STATUSES.has(status)) fail(k5, `${setResp}01 "${status}" is not A, E, R, M, W or X`);
        group.sets.push({ ...set, status: status as AckSetStatus, codes: codes(k5, 2, 6) });
      }
      const ak9 = next('AK9');
      const status = req(ak9, 1, 'functional group acknowledge code');
      if (!GROUP_STATUSES.has(status)) fail(ak9, `AK901 "${status}" is not A, E, P, R, M, W or X`);
      groups.push({
        ...group,
        status: status as AckGroupStatus,
        included: count(ak9, 2, 'sets included'),
        received: count(ak9, 3, 'sets received'),
        accepted: count(ak9, 4, 'sets accepted'),
        codes: codes(ak9, 5, 9),
      });
      const se = next('SE');
      const segCount = count(se, 1, 'segment count');
      const actual = segs.indexOf(se) - segs.indexOf(st) + 1;
      if (segCount !== actual) fail(se, `SE01 says ${segCount} segments, the set has ${actual}`);
      if (req(se, 2, 'control number') !== req(st, 2, 'control number')) fail(se, 'SE02 does not match ST02');
    }
    const ge = next('GE');
    if (req(ge, 2, 'group control number') !== req(gs, 6, 'group control number'))
      fail(ge, 'GE02 does not match GS06');
  }
  const iea = next('IEA');
  if (req(iea, 2, 'interchange control number') !== interchangeControlNumber)
    fail(iea, 'IEA02 does not match ISA13');
  if (i < segs.length) fail(segs[i], 'unexpected segment after IEA');
  if (!kind || groups.length === 0) fail(iea, 'the interchange holds no 997 or 999 acknowledgement');
  return { fileName, kind: kind!, interchangeControlNumber, groups };
}
