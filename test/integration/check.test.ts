import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simulatorIntegration } from '../../dev/integration';
import { freePort, portOpen, waitFor } from '../../dev/ports';
import { findSshd, type SshdInstance, startSshd } from '../../dev/sshd';
import { FusionSimulator } from '../../simulator/server';
import { createAlertSinks } from '../../src/alerts';
import { type CheckOptions, type CheckResult, checkIntegration } from '../../src/check';
import { parseConfig } from '../../src/config';
import { resolveSecrets } from '../../src/config/secrets';
import { buildIntegrations } from '../../src/integrations';
import { deliverFile, SftpError } from '../../src/sftp';
import { sshdDestination } from '../support/destination';

// `ml-connector check` against real components: the Fusion simulator over HTTP, OpenSSH sshd on
// loopback (a second one whose SFTP subsystem refuses removals), and an HTTP alert receiver. The
// CLI runs as a real process for the printed lines and the exit code.

const CLIENT_ID = 'check-test';
const SECRET = `check-secret-${randomBytes(6).toString('hex')}`;
const WRONG_SECRET = `wrong-secret-${randomBytes(6).toString('hex')}`;
// Its own account: other test files set the password of theirs (mlcsftp) when they start.
const PASSWORD_USER = { name: 'mlccheck', password: `pw-${randomBytes(6).toString('hex')}` };
const OTHER_PIN = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const MAIN = join(__dirname, '../../src/client/main.ts');

/** A loopback HTTP receiver standing in for a Slack incoming webhook. */
async function webhookReceiver(): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/checkHook`,
    bodies,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same sshd (keys, user, folder) on another port, its SFTP subsystem refusing `remove` requests. */
async function sshdWithoutRemove(sshd: SshdInstance): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const config = readFileSync(join(sshd.dir, 'sshd_config'), 'utf8')
    .replace(/^Port \d+$/m, `Port ${port}`)
    .replace(/^PidFile .*$/m, `PidFile ${join(sshd.dir, 'sshd-no-remove.pid')}`)
    .replace(/^Subsystem sftp internal-sftp$/m, 'Subsystem sftp internal-sftp -P remove');
  const path = join(sshd.dir, 'sshd_config_no_remove');
  writeFileSync(path, config);
  const child: ChildProcess = spawn(findSshd()!, ['-D', '-e', '-f', path], { stdio: 'ignore' });
  await waitFor(`sshd (no remove) on port ${port}`, () => portOpen(port), 15_000);
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number; stdout: string; stderr: string }> {
  // Asynchronous: the simulator answering the CLI runs in this process.
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 },
      (err, stdout, stderr) => {
        const status = err ? Number((err as { code?: unknown }).code ?? 1) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

const byName = (checks: CheckResult[], name: string): CheckResult => {
  const found = checks.find((c) => c.name === name);
  assert.ok(found, `no check "${name}" in ${checks.map((c) => c.name).join(', ')}`);
  return found;
};

const leftovers = (folder: string) => readdirSync(folder).filter((n) => n.startsWith('.ml-connector-check.'));

describe('ml-connector check on real components', () => {
  let sim: FusionSimulator;
  let simUrl: string;
  let sshd: SshdInstance;
  let dir: string;
  let env: Record<string, string>;
  let journals: Record<string, unknown>;

  before(async () => {
    sim = new FusionSimulator({ clientId: CLIENT_ID, clientSecret: SECRET });
    simUrl = await sim.listen();
    sshd = await startSshd({ passwordUser: PASSWORD_USER });
    dir = sshd.dir;
    env = { FUSION_CLIENT_SECRET: SECRET, SFTP_PRIVATE_KEY: sshd.privateKey };
    journals = simulatorIntegration({ id: 'gl-check', simUrl, clientId: CLIENT_ID, sshd });
  });
  after(async () => {
    await sim?.close();
    await sshd?.dispose();
  });

  /** Writes the configuration file for a CLI run. */
  function configFile(name: string, integrations: Record<string, unknown>[], extra = {}): string {
    const path = join(dir, `${name}.config.json`);
    writeFileSync(path, JSON.stringify({ ...extra, integrations }));
    return path;
  }

  /** The checks in this process, on the runtime the worker would build from this configuration. */
  async function runChecks(
    integration: Record<string, unknown>,
    options: { env?: Record<string, string>; config?: Record<string, unknown> } & CheckOptions = {},
  ) {
    const config = parseConfig({ ...options.config, integrations: [integration] });
    const secretEnv = options.env ?? env;
    const secrets = await resolveSecrets(config, { env: secretEnv });
    const runtime = buildIntegrations(config, secrets).get(config.integrations[0]!.id)!;
    try {
      return await checkIntegration(runtime, {
        alert: options.alert,
        alertSinks: async () => (config.alerts ? createAlertSinks(config.alerts, { env: secretEnv }) : []),
      });
    } finally {
      await runtime.fusion.close();
    }
  }

  it('all checks pass through the CLI: one ✓ line each, exit 0, and the test file is gone', async () => {
    const config = configFile('good', [journals]);
    const { status, stdout, stderr } = await cli(['check', 'gl-check'], {
      ...env,
      ML_CONNECTOR_CONFIG: config,
    });
    assert.equal(status, 0, stdout + stderr);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'gl-check:');
    assert.equal(lines.at(-1), 'gl-check: 9 passed, 0 failed, 0 skipped');
    const checks = lines.slice(1, -1);
    assert.deepEqual(
      checks.map((l) => /^ {2}✓ (.+?) \(\d+ ms\)/.exec(l)?.[1]),
      [
        'secrets',
        'fusion token',
        'fusion read journalBatches',
        'fusion read journalBatches.journalHeaders',
        'fusion read journalBatches.journalHeaders.journalLines',
        'fusion query journalBatches as a sync sends it',
        `sftp connect ${sshd.username}@127.0.0.1:${sshd.port}`,
        `sftp write ${sshd.folder}`,
        // Key hygiene: the pin this check's own connection just confirmed.
        'key sftp host key pin',
      ],
      stdout,
    );
    assert.match(
      stdout,
      new RegExp(`host key ${sshd.hostKeySha256.replace(/[+/]/g, '\\$&')} matches the pin`),
    );
    assert.match(stdout, /journalBatches\?limit=1: 1 row/);
    const written = /wrote and removed (\.ml-connector-check\.[0-9a-f]{16}\.part)/.exec(stdout)?.[1];
    assert.ok(written, stdout);
    assert.deepEqual(leftovers(sshd.folder), [], 'the test file was removed');
    assert.ok(!stdout.includes(SECRET));
  });

  it('a wrong client secret: the token check names the URL and the OAuth error, later Fusion checks are skipped', async () => {
    const config = configFile('good', [journals]);
    const run = await cli(['check', 'gl-check'], {
      ...env,
      FUSION_CLIENT_SECRET: WRONG_SECRET,
      ML_CONNECTOR_CONFIG: config,
    });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    const token = lines.find((l) => l.includes('fusion token'))!;
    assert.match(
      token,
      new RegExp(
        `^ {2}✗ fusion token \\(\\d+ ms\\) — Fusion token request to ${simUrl}/oauth2/v1/token: HTTP 401 \\(invalid_client\\)$`,
      ),
    );
    const fusionReads = lines.filter((l) => / fusion (read|query) /.test(l));
    assert.equal(fusionReads.length, 4);
    for (const line of fusionReads) assert.match(line, /^ {2}- .* \(skipped\) — no Fusion token/);
    assert.ok(
      lines.some((l) => l.startsWith('  ✓ sftp write')),
      'SFTP is checked all the same',
    );
    assert.equal(lines.at(-1), 'gl-check: 4 passed, 1 failed, 4 skipped');
    for (const secret of [WRONG_SECRET, SECRET]) {
      assert.ok(!(run.stdout + run.stderr).includes(secret), 'no secret is printed');
    }
  });

  it('a wrong host key pin: the SFTP check prints the presented fingerprint beside the pin', async () => {
    const wrongPin = {
      ...journals,
      id: 'gl-wrong-pin',
      sftp: { ...(journals.sftp as object), hostKey: { sha256: OTHER_PIN } },
    };
    const config = configFile('pins', [journals, wrongPin]);
    const run = await cli(['check', 'gl-wrong-pin'], { ...env, ML_CONNECTOR_CONFIG: config });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'gl-wrong-pin:', 'only the integration asked for');
    const connect = lines.find((l) => l.includes('sftp connect'))!;
    assert.ok(connect.startsWith(`  ✗ sftp connect ${sshd.username}@127.0.0.1:${sshd.port} (`), connect);
    assert.ok(
      connect.includes(
        `the server presented ${sshd.hostKeySha256}, the pin (sftp.hostKey.sha256) is ${OTHER_PIN}`,
      ),
      connect,
    );
    assert.ok(lines.includes(`  - sftp write ${sshd.folder} (skipped) — not connected`), run.stdout);
    assert.ok(
      lines.some((l) => l.startsWith('  ✓ fusion token')),
      'Fusion is checked all the same',
    );

    // validate --connect: every integration in the file, as JSON.
    const all = await cli(['validate', '--connect', '--json'], { ...env, ML_CONNECTOR_CONFIG: config });
    assert.equal(all.status, 1, all.stdout + all.stderr);
    const report = JSON.parse(all.stdout) as {
      ok: boolean;
      integrations: { integrationId: string; ok: boolean; checks: CheckResult[] }[];
    };
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.integrations.map((i) => [i.integrationId, i.ok]),
      [
        ['gl-check', true],
        ['gl-wrong-pin', false],
      ],
    );
    const failed = report.integrations[1]!.checks.filter((c) => c.status === 'fail');
    assert.deepEqual(
      failed.map((c) => c.name),
      [`sftp connect ${sshd.username}@127.0.0.1:${sshd.port}`],
    );
    assert.match(failed[0]!.detail!, /the server presented SHA256:/);
  });

  it('usage errors exit with 2 before connecting anywhere', async () => {
    const config = configFile('good', [journals]);
    const missing = await cli(['check'], { ...env, ML_CONNECTOR_CONFIG: config });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /check: missing <integration>/);
    const noConnect = await cli(['validate', '--json'], { ...env, ML_CONNECTOR_CONFIG: config });
    assert.equal(noConnect.status, 2);
    assert.match(noConnect.stderr, /--json and --alert need --connect/);
  });

  it('the delivery path shows the presented key too, in the form of a known_hosts pin', async () => {
    // Another ed25519 key (the client's) as the "expected" host key.
    const otherLine = `[127.0.0.1]:${sshd.port} ${readFileSync(join(sshd.dir, 'client_ed25519.pub'), 'utf8').trim()}`;
    const hostPub = readFileSync(join(sshd.dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/);
    const file = {
      fileName: 'never.csv',
      byteCount: 1,
      sha256: '0'.repeat(64),
      open: () => assert.fail('not sent'),
    };
    await assert.rejects(
      deliverFile({ ...sshdDestination(sshd), hostKey: { knownHostsLine: otherLine } }, file),
      (err: unknown) => {
        assert.ok(err instanceof SftpError && err.kind === 'host-key', String(err));
        assert.ok(
          err.message.includes(`the server presented ${hostPub[0]} ${hostPub[1]} (${sshd.hostKeySha256})`),
          err.message,
        );
        assert.match(err.message, /the pin \(sftp\.hostKey\.knownHostsLine\) is SHA256:[A-Za-z0-9+/]{43};/);
        return true;
      },
    );
    await assert.rejects(
      deliverFile({ ...sshdDestination(sshd), hostKey: { sha256: OTHER_PIN } }, file),
      (err: unknown) => {
        assert.ok(err instanceof SftpError && err.kind === 'host-key', String(err));
        assert.ok(
          err.message.includes(
            `presented ${sshd.hostKeySha256}, the pin (sftp.hostKey.sha256) is ${OTHER_PIN}`,
          ),
          err.message,
        );
        return true;
      },
    );
    // A jump host's refused key the same way, naming its own pin.
    const jumpHost = {
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      credentials: { privateKey: sshd.privateKey },
      hostKey: { sha256: OTHER_PIN },
    };
    await assert.rejects(deliverFile({ ...sshdDestination(sshd), jumpHost }, file), (err: unknown) => {
      assert.ok(err instanceof SftpError && err.kind === 'host-key', String(err));
      assert.ok(
        err.message.includes(
          `key does not match sftp.jumpHost.hostKey: it presented ${sshd.hostKeySha256}, the pin (sftp.jumpHost.hostKey.sha256) is ${OTHER_PIN}`,
        ),
        err.message,
      );
      return true;
    });
  });

  it('a folder the account may not write to fails the write check', async () => {
    const folder = join(sshd.folder, 'read-only');
    mkdirSync(folder);
    chmodSync(folder, 0o555);
    const integration = {
      ...journals,
      id: 'gl-read-only',
      sftp: {
        ...(journals.sftp as object),
        username: PASSWORD_USER.name,
        auth: { type: 'password', passwordEnv: 'SFTP_PASSWORD' },
        folder,
      },
    };
    const { ok, checks } = await runChecks(integration, {
      env: { ...env, SFTP_PASSWORD: PASSWORD_USER.password },
    });
    assert.equal(ok, false);
    const connect = byName(checks, `sftp connect ${PASSWORD_USER.name}@127.0.0.1:${sshd.port}`);
    assert.equal(connect.status, 'pass', connect.detail);
    const write = byName(checks, `sftp write ${folder}`);
    assert.equal(write.status, 'fail');
    assert.match(write.detail!, /^writing .*\.ml-connector-check\.[0-9a-f]{16}\.part: permission denied$/);
    assert.deepEqual(
      checks.filter((c) => c.status === 'fail').map((c) => c.name),
      [`sftp write ${folder}`],
    );
    assert.deepEqual(leftovers(folder), []);
  });

  it('a test file that cannot be removed fails the write check, naming it', async () => {
    const noRemove = await sshdWithoutRemove(sshd);
    try {
      const integration = {
        ...journals,
        id: 'gl-no-remove',
        sftp: { ...(journals.sftp as object), port: noRemove.port },
      };
      const { checks } = await runChecks(integration);
      const write = byName(checks, `sftp write ${sshd.folder}`);
      assert.equal(write.status, 'fail');
      const [left] = leftovers(sshd.folder);
      assert.ok(left, 'the server kept the file');
      assert.ok(
        write.detail!.startsWith(`wrote ${join(sshd.folder, left)} but could not remove it (`),
        write.detail,
      );
      assert.match(write.detail!, /remove the file by hand$/);
      rmSync(join(sshd.folder, left));
    } finally {
      await noRemove.stop();
    }
  });

  it('a child collection the pod does not expose fails its check, naming it; a layout without it passes', async () => {
    const hiding = new FusionSimulator({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      unexposedChildren: ['invoiceDistributions'],
    });
    const url = await hiding.listen();
    try {
      const base = simulatorIntegration({ id: 'ap-invoices', simUrl: url, clientId: CLIENT_ID, sshd });
      const distributions = {
        ...base,
        entity: 'invoices',
        format: {
          type: 'csv',
          rowMode: 'line',
          columns: [
            { header: 'Invoice', field: 'invoiceNumber' },
            { header: 'Charge account', field: 'line.distribution.distributionCombination' },
          ],
        },
      };
      const { ok, checks } = await runChecks(distributions);
      assert.equal(ok, false);
      assert.equal(byName(checks, 'fusion read invoices').status, 'pass');
      assert.equal(byName(checks, 'fusion read invoices.invoiceLines').status, 'pass');
      const child = byName(checks, 'fusion read invoices.invoiceLines.invoiceDistributions');
      assert.equal(child.status, 'fail');
      assert.match(child.detail!, /the invoiceLines row has no child link "invoiceDistributions"/);
      assert.match(child.detail!, /does not expose the child collection "invoiceDistributions"/);
      const query = byName(checks, 'fusion query invoices as a sync sends it');
      assert.equal(query.status, 'fail');
      assert.match(query.detail!, /Fusion refused the child collection "invoiceDistributions" of invoices/);
      assert.match(query.detail!, /HTTP 400/);
      assert.match(query.detail!, new RegExp(`GET ${url}/fscmRestApi/`));
      assert.deepEqual(
        checks.filter((c) => c.status === 'fail').map((c) => c.name),
        [
          'fusion read invoices.invoiceLines.invoiceDistributions',
          'fusion query invoices as a sync sends it',
        ],
      );

      // The default invoice layout reads no distributions: the same pod passes.
      const plain = await runChecks({ ...base, entity: 'invoices' });
      assert.equal(plain.ok, true, JSON.stringify(plain.checks));
      assert.ok(!plain.checks.some((c) => c.name.includes('invoiceDistributions')));
    } finally {
      await hiding.close();
    }
  });

  it('--alert sends a test alert through each configured sink; none configured fails', async () => {
    const receiver = await webhookReceiver();
    try {
      const { ok, checks } = await runChecks(journals, {
        alert: true,
        config: { alerts: { webhook: { urlEnv: 'ALERT_WEBHOOK_URL' } } },
        env: { ...env, ALERT_WEBHOOK_URL: receiver.url },
      });
      assert.equal(ok, true, JSON.stringify(checks));
      const sink = `webhook ${new URL(receiver.url).host}`;
      assert.equal(byName(checks, 'alert sinks').detail, sink);
      assert.equal(byName(checks, `alert ${sink}`).status, 'pass');
      assert.equal(receiver.bodies.length, 1);
      assert.match(JSON.stringify(receiver.bodies[0]), /Test alert from ml-connector check/);
      assert.ok(
        !checks.some((c) => c.detail?.includes('checkHook')),
        'the webhook URL (a secret) is not shown',
      );
    } finally {
      await receiver.close();
    }
    const none = await runChecks(journals, { alert: true });
    assert.equal(none.ok, false);
    assert.match(byName(none.checks, 'alert sinks').detail!, /no alert sinks are configured/);
  });
});
