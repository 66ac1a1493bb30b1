import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, afterEach, before, describe, it } from 'node:test';
import { freePort } from '../../dev/ports';
import { type SshdInstance, startSshd } from '../../dev/sshd';
import { FusionSimulator } from '../../simulator/server';
import { type connectFusion, type FusionConnection, FusionError, readChanges } from '../../src/fusion';
import { deliverFile, type OutgoingFile, type SftpDestination, SftpError } from '../../src/sftp';
import type { SyncResult } from '../../src/shared';
import { syncWorkflowId } from '../../src/shared/workflowIds';
import { syncIntegration } from '../../src/workflows';
import { sshdDestination } from '../support/destination';
import { connectToSimulator } from '../support/fusion';
import { startHttpProxy, startSocks5Proxy, type TestProxy } from '../support/proxy';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';

// Outbound proxies, on loopback: Fusion through HTTP(S)_PROXY / NO_PROXY and through an explicit
// fusion.proxy with a login; SFTP to a real sshd through an HTTP CONNECT proxy, a SOCKS5 proxy and
// an SSH jump host, the final server's host key still checked.

const CLIENT_ID = 'client-proxy';
const SECRET = 'client-proxy-secret-7d1e';
const PROXY_LOGIN = { username: 'svc-proxy', password: 'proxy-pw-51b2e9' };
const PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY'];

/** Runs `work` with these proxy variables set (and the others unset), then puts them back. */
async function withProxyEnv<T>(vars: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = PROXY_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const name of PROXY_VARIABLES) delete process.env[name];
  Object.assign(process.env, vars);
  try {
    return await work();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('Fusion through an outbound proxy', () => {
  const sim = new FusionSimulator({ clientId: CLIENT_ID, clientSecret: SECRET });
  let url: string;
  let simHost: string;
  const proxies: TestProxy[] = [];
  const connections: FusionConnection[] = [];

  const connect = (overrides: Partial<Parameters<typeof connectFusion>[0]> = {}) => {
    const c = connectToSimulator(
      url,
      { clientId: CLIENT_ID, clientSecret: SECRET },
      { pageSize: 50, requestTimeoutSeconds: 10, ...overrides },
    );
    connections.push(c);
    return c;
  };
  const proxy = async (login?: typeof PROXY_LOGIN) => {
    const p = await startHttpProxy(login);
    proxies.push(p);
    return p;
  };
  /** Every journal line of the simulator, read through `fusion`. */
  const readAll = async (fusion: FusionConnection) => {
    let n = 0;
    const window = { from: '1970-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
    for await (const page of readChanges(fusion.client, 'journalLines', window, {
      expand: false,
      childChangeFilter: false,
    })) {
      n += page.length;
    }
    return n;
  };
  const requests = () => Object.values(sim.stats.requests).reduce((a, b) => a + b, 0);

  before(async () => {
    url = await sim.listen();
    simHost = new URL(url).host;
  });
  afterEach(async () => {
    for (const c of connections.splice(0)) await c.close();
    for (const p of proxies.splice(0)) await p.close();
  });
  after(async () => sim.close());

  it('HTTP_PROXY: the token request and every GET go through the proxy, in tunnels to the pod', async () => {
    const p = await proxy();
    const before = requests();
    const lines = await withProxyEnv({ HTTP_PROXY: p.url }, () => readAll(connect()));
    assert.equal(lines, sim.flatJournalLines().length);
    assert.ok(requests() > before + 1, 'the simulator answered the token request and the pages');
    assert.ok(p.tunnels.length >= 1, 'the proxy opened the tunnels');
    assert.deepEqual(new Set(p.tunnels), new Set([simHost]), 'every tunnel went to the pod');
    assert.deepEqual(p.forwarded, [], 'nothing was sent to the proxy in the clear');
    for (const headers of p.connectHeaders) {
      assert.equal(headers.authorization, undefined, 'the Fusion credentials stay inside the tunnel');
    }
  });

  it('HTTPS_PROXY is taken for an https pod, and a refusal names the proxy and the variable', async () => {
    const p = await proxy(PROXY_LOGIN); // no login in the variable: the proxy answers 407
    const fusion = await withProxyEnv({ HTTPS_PROXY: p.url }, async () =>
      connect({
        baseUrl: 'https://erp.pod.example:443/fscmRestApi/resources/11.13.18.05',
        auth: { type: 'basic', username: 'integration.user', password: 'basic-pw-88a1' },
      }),
    );
    await assert.rejects(
      fusion.client.getJson(fusion.client.resourceUrl('journalEntries')),
      (err: unknown) => {
        assert.ok(err instanceof FusionError, String(err));
        assert.equal(err.kind, 'auth');
        assert.match(
          err.message,
          new RegExp(`proxy http://127\\.0\\.0\\.1:${p.port} \\(from HTTPS_PROXY\\)`),
        );
        assert.match(err.message, /407/);
        assert.ok(!err.message.includes('basic-pw-88a1'));
        return true;
      },
    );
    assert.equal(p.refused, 1, 'a 407 is final: not retried, no token refresh');
    assert.deepEqual(p.requested, ['erp.pod.example:443'], 'the tunnel was asked for to the https pod');
  });

  it('NO_PROXY: a listed host is reached directly, the proxy sees nothing', async () => {
    const p = await proxy();
    const lines = await withProxyEnv({ HTTP_PROXY: p.url, NO_PROXY: 'localhost,127.0.0.1' }, () =>
      readAll(connect()),
    );
    assert.equal(lines, sim.flatJournalLines().length);
    assert.equal(p.connectHeaders.length, 0);
  });

  it('fusion.proxy with a login wins over the environment; the login goes to the proxy only', async () => {
    const configured = await proxy(PROXY_LOGIN);
    const fromEnv = await proxy();
    const lines = await withProxyEnv({ HTTP_PROXY: fromEnv.url, NO_PROXY: '127.0.0.1' }, () =>
      readAll(connect({ proxy: { url: configured.url, ...PROXY_LOGIN } })),
    );
    assert.equal(lines, sim.flatJournalLines().length);
    assert.ok(configured.tunnels.length >= 1, 'the configured proxy carried the calls despite NO_PROXY');
    assert.equal(configured.refused, 0);
    assert.equal(fromEnv.connectHeaders.length, 0, 'the proxy from the environment was not used');
    const basic = `Basic ${Buffer.from(`${PROXY_LOGIN.username}:${PROXY_LOGIN.password}`).toString('base64')}`;
    for (const headers of configured.connectHeaders) {
      assert.equal(headers['proxy-authorization'], basic);
      assert.equal(headers.authorization, undefined);
    }
  });

  it('an unreachable fusion.proxy is a network error that names it', async () => {
    const port = await freePort(); // nothing listens there
    const fusion = connect({ proxy: { url: `http://127.0.0.1:${port}` }, transientRetries: 0 });
    await assert.rejects(readAll(fusion), (err: unknown) => {
      assert.ok(err instanceof FusionError, String(err));
      assert.equal(err.kind, 'unavailable');
      assert.ok(
        err.message.endsWith(
          `network error (ECONNREFUSED) through the proxy http://127.0.0.1:${port} (fusion.proxy)`,
        ),
        err.message,
      );
      return true;
    });
  });

  it('a wrong fusion.proxy password is an auth error naming the proxy, without the password', async () => {
    const p = await proxy(PROXY_LOGIN);
    const fusion = connect({
      proxy: { url: p.url, username: PROXY_LOGIN.username, password: 'wrong-pw-0c4f' },
    });
    await assert.rejects(readAll(fusion), (err: unknown) => {
      assert.ok(err instanceof FusionError, String(err));
      assert.equal(err.kind, 'auth');
      assert.match(err.message, /^Fusion token request to 127\.0\.0\.1:\d+: /);
      assert.ok(err.message.includes(`proxy http://127.0.0.1:${p.port} (fusion.proxy) refused the tunnel`));
      assert.match(err.message, /HTTP 407/);
      assert.ok(!err.message.includes('wrong-pw-0c4f'));
      assert.ok(
        !err.message.includes(Buffer.from(`${PROXY_LOGIN.username}:wrong-pw-0c4f`).toString('base64')),
      );
      return true;
    });
    assert.equal(p.tunnels.length, 0);
    assert.ok(p.refused >= 1);
  });
});

function outgoing(name: string, text: string): OutgoingFile {
  const bytes = Buffer.from(text);
  return {
    fileName: name,
    byteCount: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    open: () => Readable.from([bytes]),
  };
}

describe('SFTP through an outbound proxy or a jump host (real OpenSSH)', () => {
  let sshd: SshdInstance;
  let base: SftpDestination;
  let target: string;
  const proxies: TestProxy[] = [];

  before(async () => {
    sshd = await startSshd();
    base = sshdDestination(sshd);
    target = `${sshd.host}:${sshd.port}`;
  });
  afterEach(async () => {
    for (const p of proxies.splice(0)) await p.close();
  });
  after(async () => sshd?.dispose());

  const viaHttp = async () => {
    const p = await startHttpProxy(PROXY_LOGIN);
    proxies.push(p);
    return p;
  };
  const viaSocks = async () => {
    const p = await startSocks5Proxy(PROXY_LOGIN);
    proxies.push(p);
    return p;
  };

  it('uploads through an HTTP CONNECT proxy with a login: one tunnel per connection', async () => {
    const p = await viaHttp();
    const dest: SftpDestination = { ...base, proxy: { type: 'http', url: p.url, login: PROXY_LOGIN } };
    const first = await deliverFile(dest, outgoing('via-http-1.csv', 'a,b\r\n1,2\r\n'));
    assert.equal(first.uploadedNow, true);
    assert.equal(readFileSync(join(sshd.folder, 'via-http-1.csv'), 'utf8'), 'a,b\r\n1,2\r\n');
    assert.deepEqual(p.tunnels, [target]);
    await deliverFile(dest, outgoing('via-http-2.csv', 'c\r\n'));
    assert.deepEqual(p.tunnels, [target, target], 'a second delivery is a second connection');
  });

  it('a wrong HTTP proxy password is an auth error naming the proxy, without the password', async () => {
    const p = await viaHttp();
    const dest: SftpDestination = {
      ...base,
      proxy: { type: 'http', url: p.url, login: { username: PROXY_LOGIN.username, password: 'wrong-9e1a' } },
    };
    await assert.rejects(deliverFile(dest, outgoing('never-http.csv', 'n')), (err: unknown) => {
      assert.ok(err instanceof SftpError, String(err));
      assert.equal(err.kind, 'auth');
      assert.equal(err.retryable, false);
      assert.ok(err.message.includes(`HTTP proxy 127.0.0.1:${p.port} (sftp.proxy)`), err.message);
      assert.match(err.message, /407/);
      assert.ok(!err.message.includes('wrong-9e1a'));
      return true;
    });
    assert.equal(p.refused, 1);
    assert.ok(!existsSync(join(sshd.folder, 'never-http.csv')));
  });

  it("through the proxy the final server's host key is still checked against the pin", async () => {
    const p = await viaHttp();
    const dest: SftpDestination = {
      ...base,
      hostKey: { sha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      proxy: { type: 'http', url: p.url, login: PROXY_LOGIN },
    };
    await assert.rejects(
      deliverFile(dest, outgoing('pinned-proxy.csv', 'n')),
      (err: unknown) => err instanceof SftpError && err.kind === 'host-key',
    );
    assert.deepEqual(p.tunnels, [target], 'the tunnel was open: the key check is what refused');
    assert.ok(!existsSync(join(sshd.folder, 'pinned-proxy.csv')));
  });

  it('uploads through a SOCKS5 proxy with a login; a wrong password is refused by name', async () => {
    const p = await viaSocks();
    await deliverFile(
      { ...base, proxy: { type: 'socks5', url: p.url, login: PROXY_LOGIN } },
      outgoing('via-socks.csv', 's\r\n'),
    );
    assert.equal(readFileSync(join(sshd.folder, 'via-socks.csv'), 'utf8'), 's\r\n');
    assert.deepEqual(p.tunnels, [target]);
    await assert.rejects(
      deliverFile(
        { ...base, proxy: { type: 'socks5', url: p.url, login: { ...PROXY_LOGIN, password: 'wrong-77c0' } } },
        outgoing('never-socks.csv', 'n'),
      ),
      (err: unknown) => {
        assert.ok(err instanceof SftpError, String(err));
        assert.equal(err.kind, 'auth');
        assert.ok(err.message.includes(`SOCKS5 proxy 127.0.0.1:${p.port} (sftp.proxy)`), err.message);
        assert.ok(!err.message.includes('wrong-77c0'));
        return true;
      },
    );
    assert.equal(p.refused, 1);
    assert.deepEqual(p.tunnels, [target]);
  });

  it("uploads through an SSH jump host; each host's key is checked against its own pin", async () => {
    // The sshd is its own jump host: the session to it forwards a channel to its own port.
    const jumpHost = {
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      credentials: { privateKey: sshd.privateKey },
      hostKey: { sha256: sshd.hostKeySha256 },
    };
    await deliverFile({ ...base, jumpHost }, outgoing('via-jump.csv', 'j\r\n'));
    assert.equal(readFileSync(join(sshd.folder, 'via-jump.csv'), 'utf8'), 'j\r\n');
    const wrong = { sha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
    await assert.rejects(
      deliverFile({ ...base, hostKey: wrong, jumpHost }, outgoing('j1.csv', 'n')),
      (err: unknown) => {
        assert.ok(err instanceof SftpError && err.kind === 'host-key', String(err));
        assert.doesNotMatch(
          err.message,
          /jump host's key/,
          'the final server was refused, not the jump host',
        );
        return true;
      },
    );
    await assert.rejects(
      deliverFile({ ...base, jumpHost: { ...jumpHost, hostKey: wrong } }, outgoing('j2.csv', 'n')),
      (err: unknown) => {
        assert.ok(err instanceof SftpError && err.kind === 'host-key', String(err));
        assert.match(err.message, /jump host 127\.0\.0\.1:\d+ \(sftp\.jumpHost\).*key does not match/);
        return true;
      },
    );
    assert.ok(!existsSync(join(sshd.folder, 'j1.csv')) && !existsSync(join(sshd.folder, 'j2.csv')));
  });
});

describe('a sync configured with fusion.proxy and sftp.proxy (worker, Temporal, ledger)', () => {
  const FUSION_PROXY = { username: 'fusion-proxy-user', password: `fp-${Date.now()}-3a7c` };
  const SFTP_PROXY = { username: 'sftp-proxy-user', password: `sp-${Date.now()}-91d0` };
  let fusionProxy: TestProxy;
  let sftpProxy: TestProxy;
  let stack: TestStack;
  let worker: { stop(): Promise<void> };

  before(async () => {
    fusionProxy = await startHttpProxy(FUSION_PROXY);
    sftpProxy = await startHttpProxy(SFTP_PROXY);
    stack = await startTestStack({
      integrations: (simUrl, sshd) => {
        const base = integrationConfig(simUrl, sshd);
        return [
          {
            ...base,
            fusion: {
              ...base.fusion,
              proxy: {
                url: fusionProxy.url,
                username: FUSION_PROXY.username,
                passwordEnv: 'FUSION_PROXY_PASSWORD',
              },
            },
            sftp: {
              ...base.sftp,
              proxy: {
                type: 'http',
                url: sftpProxy.url,
                username: SFTP_PROXY.username,
                passwordEnv: 'SFTP_PROXY_PASSWORD',
              },
            },
          },
        ];
      },
      secretsEnv: { FUSION_PROXY_PASSWORD: FUSION_PROXY.password, SFTP_PROXY_PASSWORD: SFTP_PROXY.password },
    });
    worker = await startWorker(stack);
  });
  after(async () => {
    await worker?.stop();
    await stack?.close();
    await fusionProxy?.close();
    await sftpProxy?.close();
  });

  it('reads Fusion through one proxy and delivers through the other, each with its own login', async () => {
    const result: SyncResult = await stack.client.workflow.execute(syncIntegration, {
      taskQueue: stack.taskQueue,
      workflowId: syncWorkflowId('gl-journal-lines', new Date()),
      args: [{ integrationId: 'gl-journal-lines' }],
    });
    assert.ok(result.file, 'a file was delivered');
    assert.ok(existsSync(join(stack.sshd.folder, result.file.fileName)));
    assert.ok(fusionProxy.tunnels.length >= 1);
    assert.deepEqual(new Set(fusionProxy.tunnels), new Set([new URL(stack.simUrl).host]));
    assert.deepEqual(
      sftpProxy.tunnels,
      [`${stack.sshd.host}:${stack.sshd.port}`],
      'one delivery, one tunnel',
    );
    assert.equal(fusionProxy.refused + sftpProxy.refused, 0, 'each proxy got its own login');
  });
});
