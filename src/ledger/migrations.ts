// Versioned schema migrations, applied in order, each once, under an advisory lock (so two
// workers starting together do not race). Never edit a released migration: add the next one.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'ledger, runs, staging, files, watermarks, quarantine',
    sql: `
CREATE TABLE sync_run (
  run_key         text PRIMARY KEY,
  integration_id  text NOT NULL,
  entity          text NOT NULL,
  window_from     timestamptz NOT NULL,
  window_to       timestamptz NOT NULL,
  status          text NOT NULL CHECK (status IN ('staging', 'staged', 'rendered', 'uploaded', 'committed')),
  extracted       integer NOT NULL DEFAULT 0,
  staged          integer NOT NULL DEFAULT 0,
  already_sent    integer NOT NULL DEFAULT 0,
  quarantined     integer NOT NULL DEFAULT 0,
  started_at      timestamptz NOT NULL DEFAULT now(),
  committed_at    timestamptz
);
-- One open run per integration: a second one would stage the same records twice.
CREATE UNIQUE INDEX sync_run_one_open_per_integration ON sync_run (integration_id) WHERE status <> 'committed';

-- Records extracted for a run and not yet committed. The file is rendered from here.
CREATE TABLE staged_record (
  run_key         text NOT NULL REFERENCES sync_run ON DELETE CASCADE,
  seq             integer NOT NULL,
  record_id       text NOT NULL,
  record_version  timestamptz NOT NULL,
  content_sha256  text NOT NULL,
  payload         jsonb NOT NULL,
  PRIMARY KEY (run_key, seq),
  UNIQUE (run_key, record_id)
);

CREATE TABLE outbound_file (
  file_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_key         text NOT NULL UNIQUE REFERENCES sync_run,
  integration_id  text NOT NULL,
  file_name       text NOT NULL,
  remote_path     text NOT NULL,
  byte_count      bigint NOT NULL,
  sha256          text NOT NULL,
  record_count    integer NOT NULL,
  status          text NOT NULL CHECK (status IN ('rendered', 'uploaded', 'committed')),
  rendered_at     timestamptz NOT NULL DEFAULT now(),
  uploaded_at     timestamptz,
  committed_at    timestamptz,
  UNIQUE (integration_id, file_name)
);

-- The exact bytes of every file, kept for audit and replay, in chunks so no step holds a whole file.
CREATE TABLE outbound_file_chunk (
  file_id         bigint NOT NULL REFERENCES outbound_file ON DELETE CASCADE,
  seq             integer NOT NULL,
  data            bytea NOT NULL,
  PRIMARY KEY (file_id, seq)
);

-- The ledger: every record version delivered, in which file and line, and when.
CREATE TABLE ledger_entry (
  entry_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  integration_id  text NOT NULL,
  entity          text NOT NULL,
  record_id       text NOT NULL,
  record_version  timestamptz NOT NULL,
  content_sha256  text NOT NULL,
  file_id         bigint NOT NULL REFERENCES outbound_file,
  row_in_file     integer NOT NULL, -- 1-based data row (the header row not counted)
  run_key         text NOT NULL,
  is_resend       boolean NOT NULL DEFAULT false,
  sent_at         timestamptz NOT NULL DEFAULT now()
);
-- Exactly once: a record version goes out once, unless an admin asks for a resend.
CREATE UNIQUE INDEX ledger_entry_once ON ledger_entry (integration_id, record_id, record_version, content_sha256)
  WHERE NOT is_resend;
CREATE INDEX ledger_entry_record ON ledger_entry (integration_id, record_id);
CREATE INDEX ledger_entry_file ON ledger_entry (file_id);

CREATE TABLE watermark (
  integration_id   text PRIMARY KEY,
  last_update_date timestamptz NOT NULL,
  run_key          text NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE quarantined_record (
  quarantine_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  integration_id  text NOT NULL,
  run_key         text NOT NULL REFERENCES sync_run ON DELETE CASCADE,
  record_id       text NOT NULL,
  record_version  text NOT NULL,
  field           text NOT NULL,
  reason          text NOT NULL,
  payload         jsonb NOT NULL,
  quarantined_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quarantined_record_integration ON quarantined_record (integration_id, record_id);
`,
  },
  {
    version: 2,
    name: 'encrypted credentials',
    sql: `
-- Credentials sealed with AES-256-GCM (src/credentials). Only ciphertext is stored: the master keys
-- stay outside the database, and key_id says which of them sealed the row (rotation re-seals).
CREATE TABLE credential (
  name        text PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('fusion-client-secret', 'fusion-password', 'sftp-password',
                'sftp-private-key', 'sftp-passphrase', 'pgp-public-key', 'pgp-private-key', 'pgp-passphrase',
                'generic')),
  key_id      text NOT NULL,
  nonce       bytea NOT NULL CHECK (octet_length(nonce) = 12),
  ciphertext  bytea NOT NULL CHECK (octet_length(ciphertext) > 16), -- encrypted value followed by the 16-byte tag
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now() -- when the value was last set; rotation leaves it
);
`,
  },
  {
    version: 3,
    name: 'run failures: failed runs close, failed deliveries stay staged for a retry',
    sql: `
ALTER TABLE sync_run DROP CONSTRAINT sync_run_status_check;
ALTER TABLE sync_run ADD CONSTRAINT sync_run_status_check
  CHECK (status IN ('staging', 'staged', 'rendered', 'uploaded', 'committed', 'failed'));
ALTER TABLE sync_run ADD COLUMN failed_at timestamptz, ADD COLUMN failed_stage text, ADD COLUMN last_error text;
-- A failed run (nothing sent) no longer blocks the integration; a failed delivery does, until delivered.
DROP INDEX sync_run_one_open_per_integration;
CREATE UNIQUE INDEX sync_run_one_open_per_integration ON sync_run (integration_id)
  WHERE status NOT IN ('committed', 'failed');
`,
  },
  {
    version: 4,
    name: 'file format and summary; X12 partners for per-partner control-number sequences',
    sql: `
ALTER TABLE outbound_file ADD COLUMN format text NOT NULL DEFAULT 'csv',
  ADD COLUMN summary jsonb NOT NULL DEFAULT '{}'::jsonb;
-- One row per trading partner; its sequences are x12_isa_<seq_no>, x12_gs_<seq_no>, x12_st_<seq_no>,
-- created on first use. Sequences never give a number twice, whatever rolls back.
CREATE TABLE x12_partner (
  partner_id  text PRIMARY KEY,
  seq_no      integer GENERATED ALWAYS AS IDENTITY UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 5,
    name: 'resend runs (force resync, backfill) beside live syncs; the integration registry',
    sql: `
-- A resend run re-delivers records on request: it skips the ledger's dedup, records its entries as
-- resends and never moves the live watermark. Only live syncs are limited to one open run.
ALTER TABLE sync_run ADD COLUMN kind text NOT NULL DEFAULT 'sync' CHECK (kind IN ('sync', 'resend')),
  ADD COLUMN reason text;
DROP INDEX sync_run_one_open_per_integration;
CREATE UNIQUE INDEX sync_run_one_open_per_integration ON sync_run (integration_id)
  WHERE kind = 'sync' AND status NOT IN ('committed', 'failed');

-- The integrations a worker serves, as configured (no secrets: the file names them only).
CREATE TABLE integration (
  integration_id  text PRIMARY KEY,
  entity          text NOT NULL,
  format          text NOT NULL,
  destination     text NOT NULL,
  config_sha256   text NOT NULL,
  registered_at   timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 6,
    name: 'delivery log (uploads and replays)',
    sql: `
-- Each time a file's bytes were put on (or found on) a server: the first upload and every replay,
-- with the admin's reason for a replay.
CREATE TABLE file_delivery (
  delivery_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  file_id       bigint NOT NULL REFERENCES outbound_file,
  kind          text NOT NULL CHECK (kind IN ('upload', 'replay')),
  uploaded_now  boolean NOT NULL,
  reason        text,
  delivered_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX file_delivery_file ON file_delivery (file_id);
CREATE INDEX ledger_entry_sent_at ON ledger_entry (sent_at);
`,
  },
  {
    version: 7,
    name: 'staged payloads as json text',
    sql: `
-- Staged rows live for one run and are only written and read back whole: json keeps the text as
-- sent (no conversion to jsonb's binary form and back), which halves the cost of staging.
ALTER TABLE staged_record ALTER COLUMN payload TYPE json USING payload::json;
`,
  },
  {
    version: 8,
    name: 'failure acknowledgements; quarantine release and resolution; release runs; business numbers on ledger entries',
    sql: `
-- A failed run an operator has seen to: who acknowledged it, when, and why. \`failures\` lists the rest.
ALTER TABLE sync_run ADD COLUMN failure_acked_at timestamptz, ADD COLUMN failure_acked_by text,
  ADD COLUMN failure_ack_note text;
-- A release run re-reads released quarantined records by ID and delivers them once: deduplicated
-- like a live sync and recorded as new deliveries (not resends), without moving the watermark.
ALTER TABLE sync_run DROP CONSTRAINT sync_run_kind_check;
ALTER TABLE sync_run ADD CONSTRAINT sync_run_kind_check CHECK (kind IN ('sync', 'resend', 'release'));
-- A quarantined record is open until it is delivered or quarantined again (closed_at, outcome);
-- an operator's release (after a fix) is recorded with who, when and why.
ALTER TABLE quarantined_record ADD COLUMN released_at timestamptz, ADD COLUMN released_by text,
  ADD COLUMN release_reason text, ADD COLUMN closed_at timestamptz, ADD COLUMN closed_by_run text,
  ADD COLUMN outcome text CHECK (outcome IN ('delivered', 'quarantined-again'));
CREATE INDEX quarantined_record_open ON quarantined_record (integration_id, record_id) WHERE closed_at IS NULL;
-- The numbers people search by (PO, invoice and supplier numbers, journal batch and journal names),
-- taken from the staged record at commit: the staged payload is deleted then, so without them the
-- ledger knows a record only by its Fusion ID. Entries committed before this migration have '{}'.
ALTER TABLE ledger_entry ADD COLUMN business_keys jsonb NOT NULL DEFAULT '{}'::jsonb;
CREATE INDEX ledger_entry_business_keys ON ledger_entry USING gin (business_keys jsonb_path_ops);
`,
  },
  {
    version: 9,
    name: 'live run progress (stage, pages, counts, bytes) on the run row',
    sql: `
-- What a running run has done so far, written by its activities at most about once a second
-- (src/ledger/progress.ts) and read by \`status\` and the CLI's progress line. Informational only:
-- nothing decides on it, and it stays on the row after the run ends.
ALTER TABLE sync_run ADD COLUMN progress jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN progress_at timestamptz;
CREATE INDEX sync_run_integration_started ON sync_run (integration_id, started_at DESC);
`,
  },
  {
    version: 10,
    name: 'several destinations: delivery of a file to each further destination, its own bytes',
    sql: `
-- A file for an integration with further destinations (config \`destinations\`) is delivered to each
-- of them on its own: one row per file and destination, with the bytes that destination gets (its
-- own compression and PGP), their size and hash, and how its delivery went. The primary
-- destination (\`sftp\`) is the file itself (outbound_file): its delivery commits the run.
CREATE TABLE file_destination (
  file_id          bigint NOT NULL REFERENCES outbound_file ON DELETE CASCADE,
  destination_id   text NOT NULL,
  file_name        text NOT NULL,
  remote_path      text NOT NULL,
  byte_count       bigint NOT NULL,
  sha256           text NOT NULL,
  -- false: the destination gets the file's own archived bytes (no chunks of its own).
  own_bytes        boolean NOT NULL,
  summary          jsonb NOT NULL DEFAULT '{}'::jsonb,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text,
  last_attempt_at  timestamptz,
  delivered_at     timestamptz,
  uploaded_now     boolean,
  PRIMARY KEY (file_id, destination_id)
);
CREATE INDEX file_destination_undelivered ON file_destination (file_id) WHERE status <> 'delivered';
CREATE TABLE file_destination_chunk (
  file_id          bigint NOT NULL,
  destination_id   text NOT NULL,
  seq              integer NOT NULL,
  data             bytea NOT NULL,
  PRIMARY KEY (file_id, destination_id, seq),
  FOREIGN KEY (file_id, destination_id) REFERENCES file_destination ON DELETE CASCADE
);
-- A replay to a further destination names it in the delivery log; NULL is the primary.
ALTER TABLE file_delivery ADD COLUMN destination_id text;
`,
  },
  {
    version: 11,
    name: 'key hygiene: host key pin confirmations, key and credential findings, last alerted',
    sql: `
-- Each pinned host key a connection was made with and found matching: the last time it was seen,
-- so a pin no connection has confirmed for long (a destination left idle) shows before it fails.
CREATE TABLE host_key_confirmation (
  integration_id     text NOT NULL,
  destination        text NOT NULL DEFAULT 'sftp',
  host               text NOT NULL,
  fingerprint        text NOT NULL,
  first_confirmed_at timestamptz NOT NULL DEFAULT now(),
  last_confirmed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_id, destination, host, fingerprint)
);
-- What the worker's daily key hygiene check found per item (a PGP key, a stored credential, a host
-- key pin): public facts only (key IDs, fingerprints, credential names, dates), never a secret.
-- last_alerted_at: an item is alerted at most once per (UTC) day.
CREATE TABLE key_hygiene_item (
  integration_id  text NOT NULL,
  item            text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('pgp-key', 'credential', 'host-key')),
  label           text NOT NULL,
  subject         text NOT NULL,
  status          text NOT NULL CHECK (status IN ('ok', 'warn', 'expired', 'unknown')),
  dated_at        timestamptz,
  due_at          timestamptz,
  detail          text NOT NULL,
  checked_at      timestamptz NOT NULL,
  last_alerted_at timestamptz,
  PRIMARY KEY (integration_id, item)
);
`,
  },
  {
    version: 12,
    name: 'X12 acknowledgements (997/999): files read, per transaction set results, late alerts',
    sql: `
-- The control numbers of a delivered X12 file, as columns (they were only in summary): what an
-- acknowledgement's AK1-02 (GS06) and AK2-02 (ST02) are matched on. The file's sets are numbered
-- contiguously from first to last. Generated, so older files have them too.
ALTER TABLE outbound_file
  ADD COLUMN x12_functional_id text GENERATED ALWAYS AS (summary->>'functionalIdentifier') STORED,
  ADD COLUMN x12_isa13 text GENERATED ALWAYS AS (summary->>'interchangeControlNumber') STORED,
  ADD COLUMN x12_gs06 text GENERATED ALWAYS AS (summary->>'groupControlNumber') STORED,
  ADD COLUMN x12_first_st02 integer GENERATED ALWAYS AS ((summary->>'firstTransactionSetControlNumber')::integer) STORED,
  ADD COLUMN x12_last_st02 integer GENERATED ALWAYS AS ((summary->>'lastTransactionSetControlNumber')::integer) STORED,
  -- When the one "no acknowledgement within expectWithinHours" alert went out for this file.
  ADD COLUMN ack_late_alerted_at timestamptz;
CREATE INDEX outbound_file_x12_group ON outbound_file (integration_id, x12_functional_id, x12_gs06)
  WHERE x12_gs06 IS NOT NULL;

-- Each acknowledgement file read from a partner's folder, once: a file with the same name, size
-- and mtime is never read again. outcome: read, malformed (error says where) or too-large.
CREATE TABLE ack_file (
  ack_file_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  integration_id  text NOT NULL,
  remote_name     text NOT NULL,
  byte_count      bigint NOT NULL,
  mtime           timestamptz NOT NULL,
  sha256          text,
  kind            text CHECK (kind IN ('997', '999')),
  isa13           text,
  outcome         text NOT NULL CHECK (outcome IN ('read', 'malformed', 'too-large')),
  error           text,
  read_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (integration_id, remote_name, byte_count, mtime)
);

-- One row per acknowledged transaction set (or per group, when the group has no AK2): the file it
-- acknowledges (NULL: no delivered file matches, an unmatched acknowledgement, reported), status
-- (AK5-01/IK5-01, or AK9-01 for a group row) and the error codes (AK3/IK3, AK4/IK4, AK5, AK9).
CREATE TABLE ack_result (
  ack_result_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ack_file_id         bigint NOT NULL REFERENCES ack_file,
  integration_id      text NOT NULL,
  file_id             bigint REFERENCES outbound_file,
  functional_id       text NOT NULL,
  group_control_number text NOT NULL,
  set_id              text,
  set_control_number  text,
  status              text NOT NULL,
  group_status        text NOT NULL,
  codes               jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX ack_result_file ON ack_result (file_id);
CREATE INDEX ack_result_unmatched ON ack_result (integration_id) WHERE file_id IS NULL;
`,
  },
  {
    version: 13,
    name: 'business numbers taken at staging',
    sql: `
-- A staged record's business numbers (the jsonb the commit copies into ledger_entry.business_keys),
-- taken by the worker as it stages, so the commit does not parse every staged payload again. Rows
-- staged before this migration have none: the commit takes theirs from the payload, as it did.
ALTER TABLE staged_record ADD COLUMN business_keys jsonb;
`,
  },
  {
    version: 14,
    name: 'ledger rows written with their file',
    sql: `
-- The rows a file carries are written as the file is rendered, in the render's transaction, into
-- file_entry (the table that was ledger_entry). The ledger is what was delivered: ledger_entry is
-- now the view of the rows whose file is committed, sent when its file was committed. The commit
-- only marks the file committed, whatever the number of records; every reader keeps its meaning.
ALTER TABLE ledger_entry RENAME TO file_entry;
ALTER TABLE file_entry RENAME COLUMN sent_at TO written_at;
-- The audit by period now goes through the files committed in it.
DROP INDEX ledger_entry_sent_at;
CREATE INDEX outbound_file_committed_at ON outbound_file (committed_at) WHERE status = 'committed';
-- Files rendered before this migration have no rows yet: their commit writes them, as it did.
ALTER TABLE outbound_file ADD COLUMN entries_written boolean NOT NULL DEFAULT false;
CREATE VIEW ledger_entry AS
  SELECT e.entry_id, e.integration_id, e.entity, e.record_id, e.record_version, e.content_sha256,
         e.file_id, e.row_in_file, e.run_key, e.is_resend, f.committed_at AS sent_at, e.business_keys
  FROM file_entry e JOIN outbound_file f ON f.file_id = e.file_id
  WHERE f.status = 'committed';
`,
  },
  {
    version: 15,
    name: 'staged rows without a per-row run check',
    sql: `
-- A staged row's run was checked by a foreign key, one lookup of sync_run for every row staged:
-- about a third of the COPY's cost. Rows are only staged by the activity that opened the run, in
-- it (openRun, openResendRun), and runs are never deleted, so the check never caught anything
-- and its ON DELETE CASCADE never ran.
ALTER TABLE staged_record DROP CONSTRAINT IF EXISTS staged_record_run_key_fkey;
`,
  },
  {
    version: 16,
    name: 'archived bytes compressed with lz4',
    sql: `
-- Postgres compresses each 1 MiB archive chunk as it stores it, by default with pglz: 0.25-0.3 s
-- of its CPU for each 13.6 MB of CSV, 0.11-0.18 s with lz4, for about the same size (2.5 against
-- 2.7 MB). New chunks only; chunks stored before stay readable as they are. A server built
-- without lz4, or older than 14 (no per-column compression), keeps pglz. EXECUTE: a DO block is
-- parsed before it runs, so a statement Postgres 13 cannot parse must be run from a string.
DO $$
BEGIN
  IF current_setting('server_version_num')::int >= 140000 THEN
    EXECUTE 'ALTER TABLE outbound_file_chunk ALTER COLUMN data SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE file_destination_chunk ALTER COLUMN data SET COMPRESSION lz4';
  END IF;
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
  RAISE NOTICE 'lz4 compression not available here: archive chunks stay compressed with pglz';
END $$;
`,
  },
  {
    version: 17,
    name: 'file rows checked against their file once a statement',
    sql: `
-- A file's rows (file_entry, the ledger) must name a file that exists: the foreign key checked
-- it with one lookup and lock for every row, 0.6-0.9 s of Postgres CPU per 100,000 rows (a third
-- of writing them). The same rule is now kept once a statement: the rows a statement added or
-- changed are checked against outbound_file together, with the files locked as the key locked
-- them (FOR KEY SHARE), and a file that rows name can be neither deleted nor truncated. A key
-- checks a delete against the newest rows; a trigger sees its transaction's snapshot, which in
-- REPEATABLE READ or SERIALIZABLE may miss rows committed since: files are deleted in READ
-- COMMITTED only (the worker never deletes a file that has rows; an administrator rarely should).
ALTER TABLE file_entry DROP CONSTRAINT IF EXISTS ledger_entry_file_id_fkey;

CREATE FUNCTION file_entry_names_files() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  missing bigint;
BEGIN
  PERFORM 1 FROM outbound_file f WHERE f.file_id IN (SELECT DISTINCT file_id FROM written) FOR KEY SHARE;
  SELECT w.file_id INTO missing FROM written w
   WHERE NOT EXISTS (SELECT 1 FROM outbound_file f WHERE f.file_id = w.file_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'file_entry names file % which does not exist', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER file_entry_inserted_names_files AFTER INSERT ON file_entry
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION file_entry_names_files();
CREATE TRIGGER file_entry_updated_names_files AFTER UPDATE ON file_entry
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION file_entry_names_files();

CREATE FUNCTION outbound_file_kept_while_named() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  named bigint;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    -- After the truncate: truncating file_entry in the same statement is allowed, as it was.
    IF EXISTS (SELECT 1 FROM file_entry) THEN
      RAISE EXCEPTION 'outbound_file cannot be truncated: file_entry names its files'
        USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' AND current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'outbound_file rows are deleted in READ COMMITTED transactions only: this snapshot may miss the file rows that name them'
      USING ERRCODE = 'feature_not_supported';
  END IF;
  SELECT g.file_id INTO named FROM gone g
   WHERE EXISTS (SELECT 1 FROM file_entry e WHERE e.file_id = g.file_id)
     AND NOT EXISTS (SELECT 1 FROM outbound_file f WHERE f.file_id = g.file_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'file % is still named by file_entry', named USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER outbound_file_deleted_kept_while_named AFTER DELETE ON outbound_file
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION outbound_file_kept_while_named();
CREATE TRIGGER outbound_file_updated_kept_while_named AFTER UPDATE ON outbound_file
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION outbound_file_kept_while_named();
CREATE TRIGGER outbound_file_truncated_kept_while_named AFTER TRUNCATE ON outbound_file
  FOR EACH STATEMENT EXECUTE FUNCTION outbound_file_kept_while_named();
`,
  },
];
