import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckParseError, MAX_ACK_BYTES, parseAcknowledgement } from '../../src/formats/x12/acknowledgement';

const ISA = (v: string, n: string) =>
  `ISA*00*          *00*          *ZZ*PARTNER        *ZZ*MLCONNECTOR    *261202*1200*${v === '00401' ? 'U' : '^'}*${v}*${n}*0*P*>~`;

function ack997(body: string[], isa = '000000777'): Buffer {
  const set = ['ST*997*0001', ...body];
  const lines = [
    ISA('00401', isa),
    'GS*FA*PARTNER*MLCONNECTOR*20261202*1200*777*X*004010',
    ...set,
    `SE*${set.length + 1}*0001`,
    'GE*1*777',
    `IEA*1*${isa}`,
  ];
  return Buffer.from(`${lines[0]}\n${lines.slice(1).join('~\n')}~\n`, 'latin1');
}

function ack999(body: string[]): Buffer {
  const set = ['ST*999*0001*005010X231A1', ...body];
  const segs = [
    ISA('00501', '000000888').slice(0, -1),
    'GS*FA*PARTNER*MLCONNECTOR*20261202*1200*888*X*005010X231A1',
    ...set,
    `SE*${set.length + 1}*0001`,
    'GE*1*888',
    'IEA*1*000000888',
  ];
  return Buffer.from(`${segs.join('~')}~`, 'latin1');
}

test('997 accepting a whole 850 group', () => {
  const a = parseAcknowledgement(
    'ack1.997',
    ack997(['AK1*PO*12', 'AK2*850*0001', 'AK5*A', 'AK2*850*0002', 'AK5*A', 'AK9*A*2*2*2']),
  );
  assert.equal(a.kind, '997');
  assert.equal(a.interchangeControlNumber, '000000777');
  assert.equal(a.groups.length, 1);
  const g = a.groups[0]!;
  assert.deepEqual(
    [g.functionalId, g.groupControlNumber, g.status, g.included, g.received, g.accepted],
    ['PO', '12', 'A', 2, 2, 2],
  );
  assert.deepEqual(
    g.sets.map((s) => [s.setId, s.controlNumber, s.status]),
    [
      ['850', '0001', 'A'],
      ['850', '0002', 'A'],
    ],
  );
});

test('997 accepted with errors keeps the AK3/AK4 codes', () => {
  const a = parseAcknowledgement(
    'ack2.997',
    ack997(['AK1*IN*5', 'AK2*810*0007', 'AK3*N1*4*N1*8', 'AK4*2**7*XX', 'AK5*E', 'AK9*E*1*1*1']),
  );
  const s = a.groups[0]!.sets[0]!;
  assert.equal(s.status, 'E');
  assert.deepEqual(s.segmentErrors, [
    { segmentId: 'N1', position: '4', code: '8', elements: [{ position: '2', code: '7', data: 'XX' }] },
  ]);
});

test('997 rejecting a set, with AK5 and AK9 codes', () => {
  const a = parseAcknowledgement(
    'ack3.997',
    ack997(['AK1*PO*12', 'AK2*850*0001', 'AK3*PO1*6**8', 'AK4*4*212*1', 'AK5*R*5', 'AK9*R*1*1*0*5']),
  );
  const g = a.groups[0]!;
  assert.equal(g.status, 'R');
  assert.deepEqual(g.codes, ['5']);
  assert.deepEqual(g.sets[0]!.codes, ['5']);
  assert.equal(g.sets[0]!.segmentErrors[0]!.elements[0]!.code, '1');
});

test('999 partially accepted group (IK3/IK4/IK5)', () => {
  const a = parseAcknowledgement(
    'ack4.999',
    ack999([
      'AK1*PO*40*005010X231A1',
      'AK2*850*0101',
      'IK5*A',
      'AK2*850*0102',
      'IK3*PO1*3**8',
      'CTX*SITUATIONAL TRIGGER*PO1*3',
      'IK4*4*212*1*ABC',
      'IK5*R*5',
      'AK9*P*2*2*1',
    ]),
  );
  assert.equal(a.kind, '999');
  const g = a.groups[0]!;
  assert.equal(g.status, 'P');
  assert.deepEqual(
    g.sets.map((s) => s.status),
    ['A', 'R'],
  );
  assert.deepEqual(g.sets[1]!.segmentErrors[0], {
    segmentId: 'PO1',
    position: '3',
    code: '8',
    elements: [{ position: '4', code: '1', data: 'ABC' }],
  });
});

test('malformed acknowledgements fail naming the file and segment', () => {
  const bad = (name: string, bytes: Buffer, re: RegExp) =>
    assert.throws(
      () => parseAcknowledgement(name, bytes),
      (e: unknown) => e instanceof AckParseError && re.test(e.message),
    );
  bad('x.997', Buffer.from('hello'), /^acknowledgement x\.997: segment 1 \(ISA\)/);
  bad(
    'y.997',
    ack997(['AK1*PO*12', 'AK2*850*0001', 'AK5*Q', 'AK9*A*1*1*1']),
    /y\.997: segment 6 \(AK5\): AK501 "Q"/,
  );
  bad(
    'z.997',
    ack997(['AK1*PO*12', 'AK2*850*0001', 'AK9*A*1*1*1']),
    /z\.997: segment 6 \(AK9\): expected AK5/,
  );
  bad('w.997', ack997(['AK1*PO', 'AK9*A*1*1*1']), /AK102 \(group control number\) is missing/);
  const wrongCount = Buffer.from(
    ack997(['AK1*PO*12', 'AK9*A*0*0*0']).toString('latin1').replace('SE*4*', 'SE*9*'),
    'latin1',
  );
  bad('c.997', wrongCount, /SE01 says 9 segments, the set has 4/);
  bad('big.997', Buffer.alloc(MAX_ACK_BYTES + 1, 32), /exceeds the/);
  bad(
    'v.997',
    ack997(['AK1*PO*12', 'AK9*A*0*0*0']).subarray(0, 200),
    /v\.997: segment 6 \(SE\): SE01 \(segment count\) is missing/,
  );
});
