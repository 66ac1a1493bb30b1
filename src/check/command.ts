import { type AlertSink, createAlertSinks } from '../alerts';
import { ConfigError, type ConfigFile, loadConfigFile, readRuntimeEnv } from '../config';
import {
  type IntegrationSecrets,
  resolveSecrets,
  type SecretResolver,
  usesCredentialStore,
} from '../config/secrets';
import { credentialInfos, credentialStoreFromEnv } from '../credentials';
import { buildIntegrations } from '../integrations';
import { Ledger } from '../ledger';
import { CheckRecorder, type CheckResult, checkIntegration, type IntegrationCheck } from './index';

// The CLI side of `check <integration>` and `validate --connect`: the configuration, secrets and
// runtime built as the worker builds them (resolveSecrets, buildIntegrations, createAlertSinks),
// then every check in this process, each printed as one line as it completes (or all as JSON).

export interface CheckCommandOptions {
  /** The integrations to check; all in the file when absent. */
  integrations?: string[];
  json?: boolean;
  alert?: boolean;
}

export interface CheckReport {
  ok: boolean;
  integrations: IntegrationCheck[];
}

/** `✓ name (12 ms) — detail`, `✗ name (12 ms) — cause`, `- name (skipped) — reason`. */
export function formatCheck(result: CheckResult): string {
  const mark = { pass: '✓', warn: '!', fail: '✗', skip: '-' }[result.status];
  const time = result.status === 'skip' ? 'skipped' : `${result.durationMs} ms`;
  return `${mark} ${result.name} (${time})${result.detail ? ` — ${result.detail}` : ''}`;
}

export function formatSummary(check: IntegrationCheck): string {
  const count = (status: CheckResult['status']) => check.checks.filter((c) => c.status === status).length;
  const warned = count('warn') ? `, ${count('warn')} to renew soon` : '';
  return `${check.integrationId}: ${count('pass')} passed${warned}, ${count('fail')} failed, ${count('skip')} skipped`;
}

/** Every secret value of an integration, for removal from anything printed. */
function secretValues(secrets: IntegrationSecrets): string[] {
  const of = ({ sftp, pgp }: Pick<IntegrationSecrets, 'sftp' | 'pgp'>) => [
    ...('password' in sftp ? [sftp.password] : [sftp.privateKey, sftp.passphrase ?? '']),
    pgp?.signingKey ?? '',
    pgp?.signingPassphrase ?? '',
  ];
  return [
    secrets.fusionClientSecret,
    ...of(secrets),
    ...Object.values(secrets.destinations ?? {}).flatMap(of),
  ].filter((s) => s.length >= 4);
}

/** The credential dates and host key confirmations, each null when its table cannot be read. */
async function keyHygieneSources(ledger: Ledger, integrationId: string) {
  const [credentials, confirmations] = await Promise.all([
    credentialInfos(ledger.credentialsPool()).catch(() => null),
    ledger.hostKeyConfirmations(integrationId).catch(() => null),
  ]);
  return { credentials, confirmations };
}

/** Runs the checks and prints them; true when every check passed (the CLI exits 0, else 1). */
export async function checkCommand(
  options: CheckCommandOptions,
  out: (line: string) => void = (line) => console.log(line),
): Promise<boolean> {
  const env = readRuntimeEnv();
  const config = loadConfigFile(env.ML_CONNECTOR_CONFIG);
  const ids = options.integrations ?? config.integrations.map((i) => i.id);
  for (const id of ids) {
    if (!config.integrations.some((i) => i.id === id)) {
      throw new ConfigError(`No integration "${id}" in ${env.ML_CONNECTOR_CONFIG}`);
    }
  }
  const only = (id: string): ConfigFile => ({
    ...config,
    integrations: config.integrations.filter((i) => i.id === id),
  });
  // Postgres only when a secret lives in the credential store (as `validate`).
  const chosen = { ...config, integrations: config.integrations.filter((i) => ids.includes(i.id)) };
  const needsStore =
    usesCredentialStore(chosen) || (options.alert === true && !!config.alerts?.email?.passwordCredential);
  if (needsStore && !env.DATABASE_URL) {
    throw new ConfigError('DATABASE_URL is not set (the credential store holds secrets this check reads).');
  }
  // With DATABASE_URL the key hygiene lines also read credential dates and host key confirmations.
  const ledger = needsStore || env.DATABASE_URL ? Ledger.connect(env.DATABASE_URL!, () => {}) : undefined;
  const credentials = ledger ? credentialStoreFromEnv(ledger.credentialsPool()) : undefined;
  let sinks: Promise<readonly AlertSink[]> | undefined;
  const alertSinks = () => {
    sinks ??= config.alerts
      ? createAlertSinks(config.alerts, { env: process.env, credentials })
      : Promise.resolve([]);
    return sinks;
  };

  const report: CheckReport = { ok: true, integrations: [] };
  try {
    for (const id of ids) {
      if (!options.json) out(`${id}:`);
      const recorder = new CheckRecorder({
        onResult: options.json ? undefined : (result) => out(`  ${formatCheck(result)}`),
      });
      let secrets: SecretResolver | undefined;
      await recorder.run('secrets', async () => {
        secrets = await resolveSecrets(only(id), { env: process.env, credentials });
        return 'every secret the integration names was read';
      });
      let result: IntegrationCheck = { integrationId: id, ok: recorder.ok, checks: recorder.results };
      if (secrets) {
        recorder.hide(secretValues(secrets(id)));
        const runtime = buildIntegrations(only(id), secrets).get(id)!;
        try {
          const keyHygiene = ledger ? await keyHygieneSources(ledger, id) : undefined;
          result = await checkIntegration(
            runtime,
            { alert: options.alert, alertSinks, keyHygiene },
            recorder,
          );
        } finally {
          await runtime.fusion.close();
        }
      }
      report.integrations.push(result);
      report.ok &&= result.ok;
      if (!options.json) out(formatSummary(result));
    }
  } finally {
    await ledger?.close();
  }
  if (options.json) out(JSON.stringify(report, null, 2));
  return report.ok;
}
