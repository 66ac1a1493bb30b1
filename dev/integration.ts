import { DEFAULT_SCOPE } from '../simulator/server';
import type { SshdInstance } from './sshd';

// One journal-lines integration reading the simulator and delivering to a local OpenSSH sshd: the
// configuration the demo, the tests and the benchmark all start from (raw, before parseConfig).

export function simulatorIntegration(input: {
  id: string;
  simUrl: string;
  clientId: string;
  sshd: SshdInstance;
  /** Extra `fusion` settings (page size, overlap, timeouts). */
  fusion?: Record<string, unknown>;
  /** How the worker finds the SFTP key; by default the SFTP_PRIVATE_KEY environment variable. */
  sftpAuth?: Record<string, unknown>;
}) {
  const { simUrl, sshd } = input;
  return {
    id: input.id,
    entity: 'journalLines',
    fusion: {
      baseUrl: `${simUrl}/fscmRestApi/resources/11.13.18.05`,
      auth: {
        type: 'oauth',
        tokenUrl: `${simUrl}/oauth2/v1/token`,
        clientId: input.clientId,
        clientSecretEnv: 'FUSION_CLIENT_SECRET',
        scope: DEFAULT_SCOPE,
      },
      ...input.fusion,
    },
    sftp: {
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      auth: input.sftpAuth ?? { type: 'privateKey', privateKeyEnv: 'SFTP_PRIVATE_KEY' },
      hostKey: { sha256: sshd.hostKeySha256 },
      folder: sshd.folder,
    },
  };
}
