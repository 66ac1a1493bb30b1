import { type SftpErrorKind, sftpFailure } from '../shared/failures';

// Every way a delivery can fail is an SftpErrorKind (src/shared/failures.ts, with its
// ApplicationFailure type and whether a retry can help).

export type { SftpErrorKind };

export class SftpError extends Error {
  constructor(
    readonly kind: SftpErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SftpError';
  }

  get retryable(): boolean {
    return sftpFailure(this.kind).retryable;
  }
}

/** Maps an ssh2 / ssh2-sftp-client error to its kind by code and message. */
export function classifySftpError(err: unknown, doing: string, hostKeyRejected: boolean): SftpError {
  if (err instanceof SftpError) return err;
  const e = err as { code?: unknown; message?: string; level?: string };
  const message = e?.message ?? String(err);
  const code = e?.code;
  const wrap = (kind: SftpErrorKind, what: string) =>
    new SftpError(kind, `${doing}: ${what}`, { cause: err });
  if (hostKeyRejected) return wrap('host-key', 'the server host key does not match the pinned fingerprint');
  if (e?.level === 'client-authentication' || /authentication methods failed/i.test(message)) {
    return wrap('auth', 'authentication failed (check the user name, password or key)');
  }
  if (code === 3 || /permission denied/i.test(message)) return wrap('permission', 'permission denied');
  if (code === 2 || /no such file/i.test(message)) return wrap('no-such-path', 'no such file or folder');
  if (code === 4 && /quota|disk/i.test(message)) return wrap('permission', message);
  return wrap('unavailable', message.replace(/\s+/g, ' ').slice(0, 300));
}
