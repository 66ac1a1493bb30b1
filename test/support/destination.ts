import type { SshdInstance } from '../../dev/sshd';
import type { SftpDestination } from '../../src/sftp';

/** A delivery destination on the test sshd: key auth, pinned host key, short deadlines, no extras. */
export function sshdDestination(sshd: SshdInstance): SftpDestination {
  return {
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    credentials: { privateKey: sshd.privateKey },
    hostKey: { sha256: sshd.hostKeySha256 },
    folder: sshd.folder,
    createFolder: false,
    connectTimeoutSeconds: 5,
    operationTimeoutSeconds: 10,
    writeHighWaterMarkBytes: 4 * 1024 * 1024,
    sha256Sidecar: false,
    doneFile: false,
  };
}
