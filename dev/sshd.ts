import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, portOpen, waitFor } from './ports';

// A real OpenSSH sshd on a loopback port with throwaway keys and config, for tests and the demo.

export interface SshdInstance {
  host: string;
  port: number;
  username: string;
  privateKeyPath: string;
  privateKey: string;
  hostKeySha256: string;
  /** Absolute path of the outbound folder on the "server" (this machine). */
  folder: string;
  dir: string;
  /** Stops the server; the folder and keys stay until dispose(). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same keys. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export function findSshd(): string | null {
  for (const candidate of [
    process.env.SSHD_PATH,
    '/usr/sbin/sshd',
    '/usr/local/sbin/sshd',
    '/usr/bin/sshd',
  ]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return null;
}

function keygen(path: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ml-connector-dev', '-f', path]);
}

export function fingerprint(publicKeyPath: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyPath]).toString();
  const m = /(SHA256:[A-Za-z0-9+/=]+)/.exec(out);
  if (!m) throw new Error(`Cannot read the fingerprint of ${publicKeyPath}: ${out}`);
  return m[1]!;
}

/** A local account for password logins (created once; sshd checks passwords against /etc/shadow). */
export function ensurePasswordUser(name: string, password: string): void {
  try {
    execFileSync('id', [name], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--no-create-home', '--shell', '/bin/sh', name]);
  }
  execFileSync('chpasswd', { input: `${name}:${password}\n` });
}

export interface SshdOptions {
  dir?: string;
  port?: number;
  /** Also accept password logins for this local account (created if missing; needs root). */
  passwordUser?: { name: string; password: string };
}

export async function startSshd(options: SshdOptions = {}): Promise<SshdInstance> {
  const sshd = findSshd();
  if (!sshd) {
    throw new Error('OpenSSH sshd is not installed. On Debian/Ubuntu: apt-get install -y openssh-server');
  }
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mlc-sshd-'));
  const folder = join(dir, 'outbound');
  mkdirSync(folder, { recursive: true });
  const hostKey = join(dir, 'host_ed25519');
  const clientKey = join(dir, 'client_ed25519');
  if (!existsSync(hostKey)) keygen(hostKey);
  if (!existsSync(clientKey)) keygen(clientKey);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
  const port = options.port ?? (await freePort());
  const username = userInfo().username;
  const configPath = join(dir, 'sshd_config');
  writeFileSync(
    configPath,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PubkeyAuthentication yes',
      `PasswordAuthentication ${options.passwordUser ? 'yes' : 'no'}`,
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${[username, options.passwordUser?.name].filter(Boolean).join(' ')}`,
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });
  if (options.passwordUser) {
    ensurePasswordUser(options.passwordUser.name, options.passwordUser.password);
    chmodSync(dir, 0o755);
    chmodSync(folder, 0o777); // the password account writes here too
  }

  let child: ChildProcess | null = null;
  const start = async () => {
    const proc = spawn(sshd, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child = proc;
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`sshd exited (${code}): ${stderr.trim()}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitFor(`sshd on port ${port}`, () => portOpen(port), 15_000), exited]);
  };
  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return; // gone (a Ctrl-C reaches it too)
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await gone;
  };
  await start();
  return {
    host: '127.0.0.1',
    port,
    username,
    privateKeyPath: clientKey,
    privateKey: readFileSync(clientKey, 'utf8'),
    hostKeySha256: fingerprint(`${hostKey}.pub`),
    folder,
    dir,
    stop,
    start,
    dispose: async () => {
      await stop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
