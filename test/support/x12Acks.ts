// An X12 partner profile for 850s, the control numbers of a delivered file, and the partner's
// 997/999 answering it: what the acknowledgement tests write into the acknowledgement folder.

export const partner = {
  type: 'x12',
  partnerId: 'acme',
  interchangeSender: { qualifier: 'ZZ', id: 'MLCONNECTOR' },
  interchangeReceiver: { qualifier: '01', id: '123456789' },
  applicationSender: 'MLCONNECTOR',
  applicationReceiver: 'ACMEPO',
  usage: 'T',
  delimiterPolicy: 'clean',
  nonAscii: 'transliterate',
};

export function controlNumbers(x12: string) {
  const segs = x12.split('~').map((s) => s.trim().split('*'));
  return {
    isa13: segs.find((s) => s[0] === 'ISA')![13]!,
    gs06: segs.find((s) => s[0] === 'GS')![6]!,
    st02: segs.filter((s) => s[0] === 'ST').map((s) => s[2]!),
  };
}

export function ack(
  kind: '997' | '999',
  gs06: string,
  sets: string[],
  setStatus: (st02: string) => string[],
  /** What was acknowledged: purchase orders (PO, 850) unless told, or invoices (IN, 810). */
  acknowledged: { functionalId: string; setId: string } = { functionalId: 'PO', setId: '850' },
): string {
  const isa = `ISA*00*          *00*          *01*123456789      *ZZ*MLCONNECTOR    *261202*1200*${kind === '997' ? 'U' : '^'}*${kind === '997' ? '00401' : '00501'}*000000555*0*T*>`;
  const body = [
    `AK1*${acknowledged.functionalId}*${gs06}`,
    ...sets.flatMap((st) => [`AK2*${acknowledged.setId}*${st}`, ...setStatus(st)]),
  ];
  const rejected = sets.filter((st) => setStatus(st).some((s) => /^[AI]K5\*R/.test(s))).length;
  body.push(
    `AK9*${rejected ? (rejected === sets.length ? 'R' : 'P') : 'A'}*${sets.length}*${sets.length}*${sets.length - rejected}`,
  );
  const set = [`ST*${kind}*0001`, ...body];
  return [
    isa,
    'GS*FA*ACMEPO*MLCONNECTOR*20261202*1200*555*X*004010',
    ...set,
    `SE*${set.length + 1}*0001`,
    'GE*1*555',
    'IEA*1*000000555',
    '',
  ].join('~\n');
}
