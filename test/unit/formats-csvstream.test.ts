import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvStreamValidator } from '../../src/formats/validate/csvStream';

describe('streaming CSV check before upload', () => {
  const expected = { delimiter: ',', bom: false, headerRows: [['A', 'B']], columns: 2 };

  it('accepts a file whose header, column counts and row count match, fed in any chunking', async () => {
    const v = csvStreamValidator(expected);
    for (const chunk of ['A,B\r\n1,"x', '\r\ny"\r\n2,', 'z\r\n']) v.push(chunk);
    assert.deepEqual(await v.finish(2), { ok: true, problems: [] });
  });

  it('names a row with the wrong number of columns, a wrong header and a count mismatch', async () => {
    const v = csvStreamValidator(expected);
    v.push('A,C\r\n1,2,3\r\n');
    const result = await v.finish(2);
    assert.equal(result.ok, false);
    assert.deepEqual(result.problems, [
      'header row 1 is not the configured header',
      'row 2: 3 columns, expected 2',
      '1 data rows parsed, the writer wrote 2',
    ]);
  });

  it('checks per record type and the byte-order mark', async () => {
    const v = csvStreamValidator({ delimiter: '|', bom: true, headerRows: [], columns: { H: 3, L: 2 } });
    v.push('\uFEFFH|1|2\nL|x\nX|y\n');
    const result = await v.finish(3);
    assert.deepEqual(result.problems, ['row 3: unknown record type "X"']);
  });
});
