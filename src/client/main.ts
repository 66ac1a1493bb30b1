import { checkCommand } from '../check/command';
import { ConfigError, loadConfigFile, readRuntimeEnv } from '../config';
import { resolveSecrets, usesCredentialStore } from '../config/secrets';
import {
  CREDENTIALS_USAGE,
  CredentialStore,
  credentialStoreFromEnv,
  credentialsCommands,
  keyringFromEnv,
} from '../credentials';
import { Ledger } from '../ledger';
import { UI_OPTIONS, uiCommand } from '../ui';
import {
  AUDIT_OPTIONS,
  auditCommand,
  integrationsCommand,
  previewCommand,
  reconcileCommand,
  replayCommand,
} from './admin';
import { parseVerbArgs, UsageError } from './args';
import { describeError, EXIT } from './failure';
import { acknowledgeFailure, listFailures } from './failures';
import { ledgerReport } from './ledgerReport';
import { operateCommand, parseResyncArgs, RESYNC_OPTIONS, startAllCommand, statusCommand } from './operate';
import { listQuarantine, releaseQuarantine, showQuarantined } from './quarantine';
import { retryCommand, syncCommand } from './sync';

// `ml-connector <command>`: the admin's CLI. Temporal's own CLI and Web UI work alongside it.

const USAGE = `usage: ml-connector <command>

  migrate                     apply the Postgres schema migrations (the worker also does this at start)
  validate [--connect [--json] [--alert]]
                              check the configuration file and that every secret it names is set;
                              --connect: also run \`check\` for every integration in the file
  check <integration> [--json] [--alert]
                              connect now: Fusion token, one row of each collection the layout reads,
                              SFTP host key, a test file written and removed; --alert: a test alert
  start <integration>         start the integration's scheduled workflow (integration-<id>)
  start --all                 start every scheduled integration in the file (one connection, 8 at a time;
                              running ones are left as they are)
  status <integration> [--watch [--interval S]]
                              watermark, last run and file, run counts, open failures, the run in
                              progress with its stage and live counts, schedule, next run, resync
                              progress (from the ledger and the integration workflow, if started)
  pause|resume <integration>  stop or restart scheduled syncs
  resync <integration> (--all | --since DATE | --from DATE --to DATE [--window-hours N] | --records ID,…)
        --reason "…" [--wait]  send again (recorded as a resend; the watermark stays); --wait draws progress;
                              scheduled or not; --records takes IDs or business numbers (PO, invoice, supplier
                              number, journal batch or batch/header name)
  sync <integration> [--no-wait]
                              start one sync now (workflow ID sync-<integration>-<UTC time, ms>) and print its result;
                              its progress is drawn on stderr meanwhile
  ledger <integration>        watermark, records delivered and the latest files
  integrations validate|list  check the configuration; list integrations registered in Postgres
  audit records [--integration ID] [--record ID|NUMBER] [--from T] [--to T] [--format csv|json]
                              which file carried a record, when (and its quarantine notes)
  audit files [--integration ID] [--from T] [--to T] [--format csv|json]
  reconcile <integration>     compare the remote folder (names, sizes, sha256) with the ledger; exit 3 on a difference
  replay <integration> <file> --reason "…" [--destination ID]
                              deliver a past file again, byte-identical from the archive
  preview <integration> [--out FILE]
                              what the next sync would send: counts and totals; nothing moves
  failures [integration] [--all]
                              failed runs still needing a person, with stage and reason (--all: acknowledged too)
  failures ack <runKey> [--note "…"]
                              acknowledge a failure (who and when are recorded); it leaves the default list
  quarantine list [integration]
                              records held back now: ID, record, business number, field, reason
  quarantine show <id>        one held record: reason, field, business number, a raw excerpt (secrets redacted)
  quarantine release <integration> (--records ID,…|--all) --reason "…"
                              after a fix, read the records again from Fusion by ID and deliver them once
  credentials set|list|rotate|delete
                              the encrypted credential store (values from stdin or a file, never argv)
  retry <integration> <runKey>
                              deliver a failed run's staged file now (workflow retry-<runKey>)
  ui [--host H] [--port P]    the read-only audit page (default 127.0.0.1:8480; other hosts need
                              ML_CONNECTOR_UI_TOKEN or ML_CONNECTOR_UI_USER and _PASSWORD)

  help, --help, -h            this text

exit codes:
  0  done
  1  the command failed: its cause is printed on stderr (also when no worker polls the task queue)
  2  a usage mistake: nothing was started or changed
  3  reconcile found a difference (a file missing, altered or extra)

environment: ML_CONNECTOR_CONFIG (default ml-connector.config.json), DATABASE_URL,
             ML_CONNECTOR_TASK_QUEUE (default ml-connector); Temporal as its own CLI and SDKs read it:
             TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default default),
             TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH,
             TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME (or their _DATA forms),
             TEMPORAL_PROFILE of TEMPORAL_CONFIG_FILE (default ~/.config/temporalio/temporal.toml)`;

function print(value: unknown): void {
  console.log(typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

async function withLedger<T>(work: (ledger: Ledger) => Promise<T>): Promise<T> {
  const env = readRuntimeEnv();
  if (!env.DATABASE_URL) throw new ConfigError('DATABASE_URL is not set.');
  const ledger = Ledger.connect(env.DATABASE_URL);
  try {
    return await work(ledger);
  } finally {
    await ledger.close();
  }
}

const ONE_INTEGRATION = { positionals: ['integration'] } as const;
const CHECK_OPTIONS = { json: { type: 'boolean' }, alert: { type: 'boolean' } } as const;

const HELP = new Set(['help', '--help', '-h']);

/** Runs one command and returns its exit code (EXIT); a failure is printed, not thrown. */
export async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (
    HELP.has(command ?? '') ||
    (command !== 'credentials' && args.some((a) => a === '--help' || a === '-h'))
  ) {
    console.log(USAGE);
    return EXIT.ok;
  }
  try {
    return await runCommand(command, args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`ml-connector ${err.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    console.error(describeError(err));
    return EXIT.failure;
  }
}

async function runCommand(command: string | undefined, args: string[]): Promise<number> {
  switch (command) {
    case 'migrate':
      parseVerbArgs(command, args);
      print({ applied: await withLedger((l) => l.migrate()) });
      return EXIT.ok;
    case 'check': {
      const { values, positionals } = parseVerbArgs(command, args, {
        ...ONE_INTEGRATION,
        options: CHECK_OPTIONS,
      });
      const passed = await checkCommand({ integrations: [positionals[0]!], ...values });
      return passed ? EXIT.ok : EXIT.failure;
    }
    case 'validate': {
      const { values } = parseVerbArgs(command, args, {
        options: { connect: { type: 'boolean' }, ...CHECK_OPTIONS },
      });
      if (values.connect) {
        return (await checkCommand({ json: values.json, alert: values.alert })) ? EXIT.ok : EXIT.failure;
      }
      if (values.json || values.alert) throw new UsageError('validate: --json and --alert need --connect');
      const env = readRuntimeEnv();
      const config = loadConfigFile(env.ML_CONNECTOR_CONFIG);
      if (usesCredentialStore(config)) {
        await withLedger(async (l) => {
          await resolveSecrets(config, {
            env: process.env,
            credentials: credentialStoreFromEnv(l.credentialsPool()),
          });
        });
      } else {
        await resolveSecrets(config, { env: process.env });
      }
      print(`${env.ML_CONNECTOR_CONFIG} is valid: ${config.integrations.map((i) => i.id).join(', ')}`);
      return EXIT.ok;
    }
    case 'sync': {
      const { values, positionals } = parseVerbArgs(command, args, {
        ...ONE_INTEGRATION,
        options: { 'no-wait': { type: 'boolean' } },
      });
      print(await syncCommand(readRuntimeEnv(), positionals[0]!, !values['no-wait']));
      return EXIT.ok;
    }
    case 'status': {
      const { values, positionals } = parseVerbArgs(command, args, {
        ...ONE_INTEGRATION,
        options: { watch: { type: 'boolean' }, interval: { type: 'string' } },
      });
      const seconds = values.interval === undefined ? 2 : Number(values.interval);
      if (!(seconds >= 0.5)) throw new UsageError('status: --interval is seconds, at least 0.5');
      const watch = values.watch ? { intervalMs: seconds * 1000 } : undefined;
      const report = await statusCommand(readRuntimeEnv(), positionals[0]!, watch);
      if (report) print(report);
      return EXIT.ok;
    }
    case 'start': {
      const { values, positionals } = parseVerbArgs(command, args, {
        ...ONE_INTEGRATION,
        required: 0,
        options: { all: { type: 'boolean' } },
      });
      if (values.all === positionals.length > 0)
        throw new UsageError('start: give either <integration> or --all');
      if (!values.all) {
        print(await operateCommand(readRuntimeEnv(), command, positionals[0]!));
        return EXIT.ok;
      }
      const outcome = await startAllCommand(readRuntimeEnv());
      print(outcome);
      return outcome.failed.length ? EXIT.failure : EXIT.ok;
    }
    case 'pause':
    case 'resume': {
      const { positionals } = parseVerbArgs(command, args, ONE_INTEGRATION);
      print(await operateCommand(readRuntimeEnv(), command, positionals[0]!));
      return EXIT.ok;
    }
    case 'resync': {
      const { values, positionals } = parseVerbArgs(command, args, {
        ...ONE_INTEGRATION,
        options: RESYNC_OPTIONS,
      });
      const request = parseResyncArgs(values);
      print(
        await operateCommand(readRuntimeEnv(), command, positionals[0]!, { request, wait: !!values.wait }),
      );
      return EXIT.ok;
    }
    case 'integrations': {
      const { positionals } = parseVerbArgs(command, args, { positionals: ['validate|list'], required: 0 });
      print(await integrationsCommand(positionals[0]));
      return EXIT.ok;
    }
    case 'audit': {
      const { values, positionals } = parseVerbArgs(command, args, {
        positionals: ['records|files'],
        required: 0,
        options: AUDIT_OPTIONS,
      });
      console.log(await auditCommand(positionals[0], values));
      return EXIT.ok;
    }
    case 'reconcile': {
      const { positionals } = parseVerbArgs(command, args, ONE_INTEGRATION);
      const result = await reconcileCommand(positionals[0]!);
      print(result);
      // Non-zero when something is off (at any destination), so a scheduler or monitor can act on it.
      const off = (r: { missing: unknown[]; altered: unknown[]; extra: unknown[] }) =>
        r.missing.length > 0 || r.altered.length > 0 || r.extra.length > 0;
      return off(result) || ('destinations' in result && result.destinations.some(off))
        ? EXIT.difference
        : EXIT.ok;
    }
    case 'replay': {
      const { values, positionals } = parseVerbArgs(command, args, {
        positionals: ['integration', 'file'],
        options: { reason: { type: 'string' }, destination: { type: 'string' } },
      });
      const [integrationId, fileName] = positionals;
      print(
        await replayCommand(readRuntimeEnv(), integrationId!, fileName!, values.reason, values.destination),
      );
      return EXIT.ok;
    }
    case 'preview': {
      const { values, positionals } = parseVerbArgs(command, args, {
        ...ONE_INTEGRATION,
        options: { out: { type: 'string' } },
      });
      print(await previewCommand(positionals[0]!, values.out));
      return EXIT.ok;
    }
    case 'failures': {
      if (args[0] === 'ack') {
        const { values, positionals } = parseVerbArgs('failures ack', args.slice(1), {
          positionals: ['runKey'],
          options: { note: { type: 'string' } },
        });
        print(await withLedger((l) => acknowledgeFailure(l, positionals[0]!, values.note)));
        return EXIT.ok;
      }
      const { values, positionals } = parseVerbArgs(command, args, {
        positionals: ['integration'],
        required: 0,
        options: { all: { type: 'boolean' } },
      });
      print(await withLedger((l) => listFailures(l, positionals[0], !!values.all)));
      return EXIT.ok;
    }
    case 'quarantine': {
      const [verb, ...rest] = args;
      if (verb === 'list') {
        const { positionals } = parseVerbArgs('quarantine list', rest, {
          positionals: ['integration'],
          required: 0,
        });
        print(await withLedger((l) => listQuarantine(l, positionals[0])));
        return EXIT.ok;
      }
      if (verb === 'show') {
        const { positionals } = parseVerbArgs('quarantine show', rest, { positionals: ['id'] });
        print(await withLedger((l) => showQuarantined(l, positionals[0]!)));
        return EXIT.ok;
      }
      if (verb === 'release') {
        const { values, positionals } = parseVerbArgs('quarantine release', rest, {
          positionals: ['integration'],
          options: { records: { type: 'string' }, all: { type: 'boolean' }, reason: { type: 'string' } },
        });
        print(await withLedger((l) => releaseQuarantine(readRuntimeEnv(), l, positionals[0]!, values)));
        return EXIT.ok;
      }
      throw new UsageError('quarantine: list [integration] | show <id> | release <integration> ...');
    }
    case 'retry': {
      const { positionals } = parseVerbArgs(command, args, { positionals: ['integration', 'runKey'] });
      const [integrationId, runKey] = positionals;
      print(await retryCommand(readRuntimeEnv(), integrationId!, runKey!));
      return EXIT.ok;
    }
    case 'credentials': {
      // Its verbs parse their own arguments (src/credentials/cli.ts), never echoing one.
      const [verb, ...rest] = args;
      // Asked for, usage is an answer (exit 0), before any database is needed.
      if (HELP.has(verb ?? '') || rest.some((a) => a === '--help' || a === '-h')) {
        console.log(CREDENTIALS_USAGE);
        return EXIT.ok;
      }
      const command = credentialsCommands[verb as keyof typeof credentialsCommands];
      if (!command) {
        console.error(CREDENTIALS_USAGE);
        return EXIT.usage;
      }
      return withLedger((l) =>
        command(new CredentialStore(l.credentialsPool(), keyringFromEnv()), rest, {
          stdin: process.stdin,
          stdout: process.stdout,
          stderr: process.stderr,
        }),
      );
    }
    case 'ui': {
      const { values } = parseVerbArgs(command, args, { options: UI_OPTIONS });
      await uiCommand(readRuntimeEnv(), values);
      return 0;
    }
    case 'ledger': {
      const { positionals } = parseVerbArgs(command, args, ONE_INTEGRATION);
      print(await withLedger((l) => ledgerReport(l, positionals[0]!)));
      return EXIT.ok;
    }
  }
  if (command !== undefined) {
    // Not echoed: a mistyped word may be a value (the same rule as parseVerbArgs).
    console.error(`ml-connector: unknown command\n\n${USAGE}`);
  } else console.error(USAGE);
  return EXIT.usage;
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(describeError(err));
      process.exit(EXIT.failure);
    },
  );
}
