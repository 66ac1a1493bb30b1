import type { ConfigFile, DestinationConfig, IntegrationConfig, SftpConfig } from '../config';
import { formatFieldUse } from '../config/formats';
import type { SecretResolver, SftpSecrets } from '../config/secrets';
import { connectFusion, entityReaders, type FusionConnection, type ReadOptions } from '../fusion';
import { childrenToRead } from '../fusion/children';
import { type KeyHygieneThresholds, keyHygieneThresholds } from '../keys';
import type { PgpKeys, SftpDestination } from '../sftp';

// The runtime of one integration — its configuration, its Fusion connection, its SFTP destination
// and keys, how it reads Fusion — built once from the configuration and the resolved secrets.
// The worker, the CLI and preview all take it from here.

export interface IntegrationRuntime {
  config: IntegrationConfig;
  fusion: FusionConnection;
  sftp: SftpDestination;
  /** Encrypt files for the partner (keys resolved at start; never logged). */
  pgp?: { keys: PgpKeys; armor: boolean };
  /** How Fusion is read for this integration (readOptionsFor). */
  read: ReadOptions;
  /** The further destinations (`destinations`), in configured order; empty for most. */
  destinations: DestinationRuntime[];
  /** Key hygiene thresholds: the integration's, over the top-level ones, over the defaults. */
  keyHygiene: KeyHygieneThresholds;
}

/** One further destination of the integration's file: its config, connection and keys. */
export interface DestinationRuntime {
  id: string;
  config: DestinationConfig;
  sftp: SftpDestination;
  pgp?: { keys: PgpKeys; armor: boolean };
}

/** The connection settings of one destination (`sftp` or an item of `destinations`), secrets resolved. */
function sftpDestination(sftp: SftpConfig, secret: SftpSecrets): SftpDestination {
  return {
    host: sftp.host,
    port: sftp.port,
    username: sftp.username,
    credentials: secret.sftp,
    hostKey: sftp.hostKey,
    algorithms: sftp.algorithms,
    folder: sftp.folder,
    createFolder: sftp.createFolder,
    connectTimeoutSeconds: sftp.connectTimeoutSeconds,
    operationTimeoutSeconds: sftp.operationTimeoutSeconds,
    writeHighWaterMarkBytes: sftp.writeHighWaterMarkBytes,
    sha256Sidecar: sftp.sha256Sidecar,
    doneFile: sftp.doneFile,
    ...(sftp.proxy
      ? {
          proxy: {
            type: sftp.proxy.type,
            url: sftp.proxy.url,
            ...(secret.sftpProxy ? { login: secret.sftpProxy } : {}),
          },
        }
      : {}),
    ...(sftp.jumpHost && secret.sftpJumpHost
      ? {
          jumpHost: {
            host: sftp.jumpHost.host,
            port: sftp.jumpHost.port,
            username: sftp.jumpHost.username,
            credentials: secret.sftpJumpHost,
            hostKey: sftp.jumpHost.hostKey,
          },
        }
      : {}),
  };
}

export function buildIntegrations(
  config: ConfigFile,
  secrets: SecretResolver,
): Map<string, IntegrationRuntime> {
  return new Map(
    config.integrations.map((integration) => {
      const secret = secrets(integration.id);
      const { sftp } = integration;
      return [
        integration.id,
        {
          config: integration,
          fusion: connectFusion({
            ...integration.fusion,
            auth:
              integration.fusion.auth.type === 'oauth'
                ? { ...integration.fusion.auth, clientSecret: secret.fusionClientSecret }
                : { ...integration.fusion.auth, password: secret.fusionClientSecret },
            proxy: integration.fusion.proxy && {
              url: integration.fusion.proxy.url,
              ...secret.fusionProxy,
            },
          }),
          sftp: sftpDestination(sftp, secret),
          ...(secret.pgp && sftp.pgp ? { pgp: { keys: secret.pgp, armor: sftp.pgp.armor } } : {}),
          destinations: (integration.destinations ?? []).map((d) => {
            const own = secret.destinations?.[d.id];
            if (!own) throw new Error(`No secrets for destination "${d.id}" of "${integration.id}"`);
            return {
              id: d.id,
              config: d,
              sftp: sftpDestination(d, own),
              ...(own.pgp && d.pgp ? { pgp: { keys: own.pgp, armor: d.pgp.armor } } : {}),
            };
          }),
          read: readOptionsFor(integration),
          keyHygiene: keyHygieneThresholds(config, integration),
        },
      ];
    }),
  );
}

/** How an integration reads Fusion: expanded pages, the child filter, and only the children its format needs. */
export function readOptionsFor(config: IntegrationConfig): ReadOptions {
  return {
    expand: true,
    childChangeFilter: config.fusion.childChangeFilter,
    children: childrenToRead(
      config.entity,
      entityReaders[config.entity].spec.children,
      formatFieldUse(config.entity, config.format),
      config.fusion.children,
    ),
  };
}
