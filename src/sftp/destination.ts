import type { Readable } from 'node:stream';
import type { HostKeyPin } from './hostKey';

// What a delivery is given: where to (the destination, resolved credentials included) and what
// (the file's bytes, size and hash). Types only.

export interface SftpDestination {
  host: string;
  port: number;
  username: string;
  credentials: { password: string } | { privateKey: string; passphrase?: string };
  hostKey: HostKeyPin;
  /** Optional allow-list passed to ssh2 (kex, cipher, serverHostKey, hmac). */
  algorithms?: Record<string, string[]>;
  folder: string;
  /** Create the folder when it does not exist (otherwise a missing folder is a non-retryable error). */
  createFolder: boolean;
  connectTimeoutSeconds: number;
  operationTimeoutSeconds: number;
  writeHighWaterMarkBytes: number;
  /** After the rename, write `<name>.sha256` (`<hex>  <name>\n`) for receivers that verify. */
  sha256Sidecar: boolean;
  /** After everything else, write an empty `<name>.done` for receivers that wait for a marker. */
  doneFile: boolean;
  /** Reach the server through an HTTP CONNECT or SOCKS5 proxy (login resolved). */
  proxy?: SftpProxy;
  /** Or through an SSH jump host (credentials resolved). */
  jumpHost?: SftpJumpHost;
}

export interface SftpProxy {
  type: 'http' | 'socks5';
  /** `http://host:port` or `socks5://host:port`, no user or password in it. */
  url: string;
  login?: { username: string; password: string };
}

export interface SftpJumpHost {
  host: string;
  port: number;
  username: string;
  credentials: { password: string } | { privateKey: string; passphrase?: string };
  /** The jump host's own key; the final server's key is still checked against `hostKey`. */
  hostKey: HostKeyPin;
}

export interface OutgoingFile {
  fileName: string;
  byteCount: number;
  sha256: string;
  open(): Readable;
}

export interface DeliveryResult {
  remotePath: string;
  uploadedNow: boolean;
  /** The fingerprint of the host key the server presented (it matched the pin, or acceptAny). */
  hostKey: string;
}
