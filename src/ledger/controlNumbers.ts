import type { Pool } from 'pg';
import { inTransaction } from './transaction';

// X12 control numbers (table x12_partner and its per-partner sequences x12_isa_<n>, x12_gs_<n>,
// x12_st_<n>): numbers a partner has seen are never handed out again.

export interface X12ControlNumbers {
  interchange: number;
  group: number;
  /** The first transaction set number; the file's sets count up from it. */
  firstSet: number;
}

/**
 * Control numbers for one interchange to a partner: ISA13, GS06 and a contiguous block of ST02,
 * from that partner's Postgres sequences. Committed on their own, before the file is rendered:
 * a number once handed out is never handed out again, whatever happens to the file.
 */
export function allocateX12ControlNumbers(
  pool: Pool,
  partnerId: string,
  transactionSets: number,
): Promise<X12ControlNumbers> {
  return inTransaction(pool, async (c) => {
    // One allocator at a time per partner, so the block of set numbers is contiguous.
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`x12:${partnerId}`]);
    await c.query('INSERT INTO x12_partner (partner_id) VALUES ($1) ON CONFLICT DO NOTHING', [partnerId]);
    const { rows } = await c.query<{ seq_no: number }>(
      'SELECT seq_no FROM x12_partner WHERE partner_id = $1',
      [partnerId],
    );
    const n = rows[0]!.seq_no;
    for (const kind of ['isa', 'gs', 'st']) {
      await c.query(`CREATE SEQUENCE IF NOT EXISTS x12_${kind}_${n} MINVALUE 1 MAXVALUE 999999999 NO CYCLE`);
    }
    const isa = await c.query<{ v: string }>(`SELECT nextval('x12_isa_${n}') AS v`);
    const gs = await c.query<{ v: string }>(`SELECT nextval('x12_gs_${n}') AS v`);
    const st = await c.query<{ v: string }>(
      `SELECT nextval('x12_st_${n}') AS v FROM generate_series(1, $1::int) ORDER BY 1 LIMIT 1`,
      [Math.max(1, transactionSets)],
    );
    return {
      interchange: Number(isa.rows[0]!.v),
      group: Number(gs.rows[0]!.v),
      firstSet: Number(st.rows[0]!.v),
    };
  });
}
