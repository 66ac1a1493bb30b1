import { execFile } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SshdInstance } from '../dev/sshd';
import { REPO } from './common';
import type { RawPagingInput, RawPagingResult } from './raw-paging';

// The physical limit, measured in the same run: raw paging of the same window (bench/raw-paging.ts
// in its own process) and OpenSSH's own sftp upload of the same bytes to the same sshd.

const execFileAsync = promisify(execFile);

export async function runRawPaging(input: RawPagingInput): Promise<RawPagingResult> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', join(REPO, 'bench/raw-paging.ts'), JSON.stringify(input)],
    { cwd: REPO, maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as RawPagingResult;
}

/** OpenSSH's own client uploading the same file to the same sshd (batch mode, key auth); seconds per run. */
export async function rawUploads(sshd: SshdInstance, localPath: string, runs: number): Promise<number[]> {
  const remote = `${sshd.folder}/.bench-raw-upload`;
  const batch = join(sshd.dir, 'bench-upload.batch');
  writeFileSync(batch, `put ${localPath} ${remote}\n`);
  // The host key pinned, as the connector pins it.
  const knownHosts = join(sshd.dir, 'bench_known_hosts');
  const [type, key] = readFileSync(join(sshd.dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/);
  writeFileSync(knownHosts, `[${sshd.host}]:${sshd.port} ${type} ${key}\n`);
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await execFileAsync('sftp', [
      '-q',
      '-b',
      batch,
      '-i',
      sshd.privateKeyPath,
      '-P',
      String(sshd.port),
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'LogLevel=ERROR',
      `${sshd.username}@${sshd.host}`,
    ]);
    seconds.push((performance.now() - t0) / 1000);
    if (statSync(remote).size !== statSync(localPath).size) throw new Error('raw upload: size differs');
    rmSync(remote, { force: true });
  }
  return seconds;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
