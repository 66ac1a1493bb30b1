import { ConfigError, loadConfigFile, readRuntimeEnv } from '../config';
import { resolveSecretsFromEnv } from '../config/secrets';
import { Ledger, migrate } from '../ledger';
import { ledgerReport } from './ledgerReport';
import { syncCommand } from './sync';

// `ml-connector <command>`: the admin's CLI. Temporal's own CLI and Web UI work alongside it.

const USAGE = `usage: ml-connector <command>

  migrate                     apply the Postgres schema migrations (the worker also does this at start)
  validate                    check the configuration file and that every secret it names is set
  sync <integration> [--no-wait]
                              start one sync now (workflow ID sync-<integration>-<UTC time, ms>) and print its result
  ledger <integration>        watermark, records delivered and the latest files

environment: ML_CONNECTOR_CONFIG (default ml-connector.config.json), DATABASE_URL,
             TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default default)`;

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

export async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'migrate':
      print({ applied: await withLedger((l) => migrate(l.pool)) });
      return 0;
    case 'validate': {
      const env = readRuntimeEnv();
      const config = loadConfigFile(env.ML_CONNECTOR_CONFIG);
      resolveSecretsFromEnv(config);
      print(`${env.ML_CONNECTOR_CONFIG} is valid: ${config.integrations.map((i) => i.id).join(', ')}`);
      return 0;
    }
    case 'sync': {
      const integrationId = args.find((a) => !a.startsWith('--'));
      if (!integrationId) break;
      print(await syncCommand(readRuntimeEnv(), integrationId, !args.includes('--no-wait')));
      return 0;
    }
    case 'ledger': {
      const integrationId = args[0];
      if (!integrationId) break;
      print(await withLedger((l) => ledgerReport(l, integrationId)));
      return 0;
    }
  }
  console.error(USAGE);
  return 2;
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof ConfigError ? err.message : `error: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
