// Every way a delivery can fail, as one closed set; the activity decides retry from the kind.

export type SftpErrorKind =
  | 'unavailable' // refused, reset, timed out, server busy: retry with backoff
  | 'auth' // credentials rejected: no retry can help
  | 'host-key' // the server is not the one pinned: refuse, never retry
  | 'permission' // the account may not write there
  | 'no-such-path' // the folder does not exist
  | 'conflict' // a different file already has the final name
  | 'verify-failed'; // the remote size or hash is not what we sent

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
    return this.kind === 'unavailable' || this.kind === 'verify-failed';
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
