// Delivers bytes to SFTP servers: one new connection a delivery, verified, never overwriting.

export { type Compression, compressFile } from './compress';
export { deliverFile, placeFile, temporaryName } from './deliver';
export type { DeliveryResult, OutgoingFile, SftpDestination } from './destination';
export { SftpError, type SftpErrorKind } from './errors';
export { type FetchedFile, fetchRemoteFiles } from './fetch';
export { assertSafeFileName, DEFAULT_FILE_NAME_TEMPLATE, renderFileName } from './fileName';
export { expectedFingerprint, type HostKeyPin, hostKeyFingerprint } from './hostKey';
export { type ListingOptions, listRemoteFolder, type RemoteFileEntry } from './listing';
export { encryptForPartner, inspectPgpKey, type PgpKeyInfo, type PgpKeys } from './pgp';
