import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { startTestStack, type TestStack } from '../support/stack';
import { startWorkerProcess, type WorkerProcess, writeStackConfig } from '../support/workerProcess';

// Temporal anywhere: the worker process and the CLI connect by Temporal's own client
// configuration (TEMPORAL_* variables; a profile in TEMPORAL_CONFIG_FILE) to a server that
// wants mutual TLS. `temporal server start-dev` has no TLS options, so the dev server sits behind
// a TLS-terminating proxy here (node:tls, ALPN h2, client certificates required, signed by a CA
// made for the test with openssl): a real TLS handshake with a real CA, server name and
// client certificate, then the same gRPC the server sees from any client.

const API_KEY = `tk-${randomUUID()}`;

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, a server certificate for temporal.test and a client certificate, in `dir`. */
function makeCertificates(dir: string): void {
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=mlc-test-ca',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  for (const [name, cn, ext] of [
    ['server', 'temporal.test', 'subjectAltName=DNS:temporal.test\nextendedKeyUsage=serverAuth'],
    ['client', 'ml-connector', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    openssl(
      dir,
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  }
}

describe('Temporal over mutual TLS, configured the Temporal way', { timeout: 240_000 }, () => {
  let stack: TestStack;
  let proxy: Server;
  let proxyAddress: string;
  let dir: string;
  let worker: WorkerProcess | undefined;
  /** The client certificates' names, one per accepted TLS connection. */
  const accepted: string[] = [];
  let refused = 0;

  before(async () => {
    stack = await startTestStack();
    dir = stack.sshd.dir;
    makeCertificates(dir);
    const [host, port] = stack.temporal.address.split(':') as [string, string];
    proxy = createServer(
      {
        key: readFileSync(join(dir, 'server.key')),
        cert: readFileSync(join(dir, 'server.pem')),
        ca: readFileSync(join(dir, 'ca.pem')),
        requestCert: true,
        rejectUnauthorized: true,
        ALPNProtocols: ['h2'],
      },
      (socket: TLSSocket) => {
        accepted.push(String(socket.getPeerCertificate().subject?.CN));
        const upstream = connectTcp(Number(port), host);
        socket.pipe(upstream).pipe(socket);
        const end = () => {
          socket.destroy();
          upstream.destroy();
        };
        socket.on('error', end);
        upstream.on('error', end);
      },
    );
    proxy.on('tlsClientError', () => {
      refused++;
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const address = proxy.address();
    assert.ok(address && typeof address === 'object');
    proxyAddress = `127.0.0.1:${address.port}`;
  });

  after(async () => {
    await worker?.stop();
    await new Promise<void>((resolve) => proxy?.close(() => resolve()));
    await stack?.close();
  });

  /** The real CLI, with only the given environment (and PATH, HOME). */
  function cli(args: string[], env: Record<string, string>) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '../../src/client/main.ts'), ...args],
      {
        env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      }),
    );
  }

  it('the worker connects by TEMPORAL_TLS_* variables and logs where, never the API key', async () => {
    worker = startWorkerProcess(stack, writeStackConfig(stack, 'tls.config.json'), {
      TEMPORAL_ADDRESS: proxyAddress,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
      TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'client.key'),
      TEMPORAL_API_KEY: API_KEY,
    });
    await worker.ready();
    const started = worker
      .output()
      .split('\n')
      .find((l) => l.includes('"msg":"Worker started"'));
    assert.ok(started);
    assert.deepEqual(JSON.parse(started).temporal, {
      address: proxyAddress,
      namespace: 'default',
      tls: true,
      apiKey: true,
    });
    assert.ok(accepted.includes('ml-connector'), `the worker came through TLS (${accepted.join(', ')})`);
    assert.ok(!worker.output().includes(API_KEY), 'the API key is never logged');
  });

  it('the CLI connects by a profile in TEMPORAL_CONFIG_FILE and runs a sync on that worker', async () => {
    assert.ok(worker, 'needs the worker of the test before');
    const profileFile = join(dir, 'temporal.toml');
    writeFileSync(
      profileFile,
      `[profile.erp]
address = "${proxyAddress}"
namespace = "default"
api_key = "${API_KEY}"
[profile.erp.tls]
server_ca_cert_path = "${join(dir, 'ca.pem')}"
server_name = "temporal.test"
client_cert_path = "${join(dir, 'client.pem')}"
client_key_path = "${join(dir, 'client.key')}"
`,
    );
    const before = accepted.length;
    const r = await cli(['sync', 'gl-journal-lines'], {
      TEMPORAL_CONFIG_FILE: profileFile,
      TEMPORAL_PROFILE: 'erp',
      DATABASE_URL: stack.databaseUrl,
      ML_CONNECTOR_TASK_QUEUE: stack.taskQueue,
    });
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { sent: number };
    assert.equal(result.sent, stack.sim.flatJournalLines().length);
    assert.ok(accepted.length > before, 'the CLI came through TLS too');
    assert.ok(!r.stdout.includes(API_KEY) && !r.stderr.includes(API_KEY));
  });

  it('without a client certificate the handshake is refused: the CLI names the server, exit 1', async () => {
    const refusedBefore = refused;
    const r = await cli(['sync', 'gl-journal-lines'], {
      TEMPORAL_ADDRESS: proxyAddress,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
      TEMPORAL_API_KEY: API_KEY,
      ML_CONNECTOR_TASK_QUEUE: stack.taskQueue,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`^error: Cannot reach Temporal at ${proxyAddress} \\(namespace default, TLS, API key\\)`),
    );
    assert.ok(!r.stderr.includes(API_KEY));
    assert.ok(refused > refusedBefore, 'the proxy refused a handshake without a client certificate');
  });
});
