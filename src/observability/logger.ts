import pino, { type Logger } from 'pino';

// The one logger: structured JSON lines on stdout. Keys that could ever hold a secret are
// censored by name as a second line of defence; the first is never to log a secret at all.

export type { Logger } from 'pino';

export const REDACTED_KEYS = [
  'password',
  'passphrase',
  'privateKey',
  'clientSecret',
  'fusionClientSecret',
  'accessToken',
  'access_token',
  'authorization',
  'secret',
  'token',
];

export function createLogger(
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service: 'ml-connector' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`)], censor: '[redacted]' },
    },
    destination,
  );
}
