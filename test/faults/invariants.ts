import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { SshdInstance } from '../../dev/sshd';
import { integrationConfig, type TestStack } from '../support/stack';

// The check every fault scenario ends with: the record versions in the delivered files, the
// ledger's rows and the simulator's data agree; no record version and no file went out twice;
// the watermark is the last committed window's end.

/** A journal-lines integration whose files carry record ID and version, so files can be checked. */
export function faultIntegration(
  simUrl: string,
  sshd: SshdInstance,
  id: string,
  overrides: Record<string, unknown> = {},
) {
  const base = integrationConfig(simUrl, sshd, id);
  return {
    ...base,
    fusion: { ...base.fusion, pageSize: 4 },
    format: {
      type: 'csv',
      columns: [
        { header: 'RecordId', field: 'recordId' },
        { header: 'Version', field: 'version' },
        { header: 'Account', field: 'accountCombination' },
        { header: 'Description', field: 'description' },
      ],
    },
    ...overrides,
  };
}

const iso = (t: unknown) => new Date(String(t)).toISOString();

export async function assertInvariants(
  stack: TestStack,
  integrationId: string,
  options: { quarantined?: ReadonlySet<string> } = {},
): Promise<{ delivered: number; files: number }> {
  const quarantined = options.quarantined ?? new Set<string>();
  // 1. What the server holds for this integration.
  const names = readdirSync(stack.sshd.folder).filter((n) => n.startsWith(`${integrationId}_`));
  const temporary = readdirSync(stack.sshd.folder).filter((n) => n.startsWith(`.${integrationId}_`));
  assert.deepEqual(temporary, [], 'no temporary file left behind');
  const delivered: string[] = [];
  for (const name of names) {
    const rows = parse(readFileSync(join(stack.sshd.folder, name))) as string[][];
    for (const row of rows.slice(1)) delivered.push(`${row[0]}|${row[1]}`);
  }
  assert.equal(new Set(delivered).size, delivered.length, 'no record version delivered twice');

  // 2. The ledger: the same versions, each once, each in a committed file whose bytes are on the server.
  const { rows: ledger } = await stack.pool.query<{ key: string }>(
    `SELECT record_id || '|' || to_char(record_version AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS key
     FROM ledger_entry WHERE integration_id = $1 AND NOT is_resend`,
    [integrationId],
  );
  assert.equal(new Set(ledger.map((r) => r.key)).size, ledger.length, 'no ledger row twice');
  assert.deepEqual(
    [...delivered].sort(),
    ledger.map((r) => r.key).sort(),
    'files and ledger hold the same versions',
  );
  const { rows: files } = await stack.pool.query<{ file_name: string; sha256: string }>(
    `SELECT file_name, sha256 FROM outbound_file WHERE integration_id = $1 AND status = 'committed'`,
    [integrationId],
  );
  assert.deepEqual(
    files.map((f) => f.file_name).sort(),
    [...names].sort(),
    'every committed file once on the server',
  );
  for (const f of files) {
    const sha = createHash('sha256')
      .update(readFileSync(join(stack.sshd.folder, f.file_name)))
      .digest('hex');
    assert.equal(sha, f.sha256, `${f.file_name} is the archived bytes`);
  }

  // 3. Fusion: the current version of every line (but those held in quarantine) was delivered.
  const keys = new Set(ledger.map((r) => r.key));
  for (const line of stack.sim.flatJournalLines()) {
    const id = `${line.JeHeaderId}:${line.JeLineNumber}`;
    if (quarantined.has(id)) {
      assert.ok(
        ![...keys].some((k) => k.startsWith(`${id}|${iso(line.LastUpdateDate)}`)),
        `${id} was held back`,
      );
      continue;
    }
    assert.ok(keys.has(`${id}|${iso(line.LastUpdateDate)}`), `the current version of ${id} was delivered`);
  }

  // 4. The watermark is the end of the last committed live window.
  const { rows: wm } = await stack.pool.query<{ ok: boolean }>(
    `SELECT w.last_update_date = (SELECT max(window_to) FROM sync_run
                                  WHERE integration_id = $1 AND kind = 'sync' AND status = 'committed') AS ok
     FROM watermark w WHERE integration_id = $1`,
    [integrationId],
  );
  assert.equal(wm[0]?.ok, true, 'the watermark is the last committed window end');
  return { delivered: delivered.length, files: files.length };
}
