import { z } from 'zod';

// The `alerts` section of the configuration file. As elsewhere, no secret is in the file: it
// names the environment variable (or stored credential) that holds each one. A Slack incoming
// webhook URL is itself a secret (its path is the token), so it can be given by variable too.

const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (A-Z, 0-9, _), not the secret');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why a webhook URL is not acceptable, or undefined. Never quotes the URL (it may be secret). */
export function webhookUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password)
    return 'must not hold a user or password; use headerName and headerValueEnv';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return 'must be https (plain http only to a loopback address)';
}

export const webhookSchema = z
  .strictObject({
    /** Where to POST, when the URL is not secret (a relay with header auth). */
    url: z.string().optional(),
    /** The variable holding the URL: use this for Slack, whose webhook URL is the credential. */
    urlEnv: envVarName.optional(),
    /** An extra header sent with each POST, e.g. `Authorization`; its value comes from headerValueEnv. */
    headerName: z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name')
      .optional(),
    headerValueEnv: envVarName.optional(),
  })
  .superRefine((w, ctx) => {
    if (Boolean(w.url) === Boolean(w.urlEnv)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of url or urlEnv', path: ['url'] });
    }
    const urlProblem = w.url ? webhookUrlProblem(w.url) : undefined;
    if (urlProblem) ctx.addIssue({ code: 'custom', message: urlProblem, path: ['url'] });
    if (Boolean(w.headerName) !== Boolean(w.headerValueEnv)) {
      ctx.addIssue({
        code: 'custom',
        message: 'set headerName and headerValueEnv together',
        path: [w.headerName ? 'headerValueEnv' : 'headerName'],
      });
    }
  });

export const emailSchema = z
  .strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** true: TLS from the first byte (usually port 465). false: plain connect, then STARTTLS. */
    secure: z.boolean().default(false),
    /** With secure false: refuse to send unless the server upgrades to TLS (STARTTLS). */
    requireStarttls: z.boolean().default(true),
    username: z.string().min(1).optional(),
    /** The SMTP password, from this environment variable… */
    passwordEnv: envVarName.optional(),
    /** …or from this entry of the credential store. */
    passwordCredential: z.string().min(1).optional(),
    from: z.email(),
    to: z.array(z.email()).min(1, 'list at least one recipient'),
  })
  .superRefine((e, ctx) => {
    const hasPassword = Boolean(e.passwordEnv || e.passwordCredential);
    if (e.passwordEnv && e.passwordCredential) {
      ctx.addIssue({
        code: 'custom',
        message: 'set one of passwordEnv or passwordCredential',
        path: ['passwordCredential'],
      });
    }
    if (Boolean(e.username) !== hasPassword) {
      ctx.addIssue({
        code: 'custom',
        message: 'username and a password (passwordEnv or passwordCredential) go together',
        path: [e.username ? 'passwordEnv' : 'username'],
      });
    }
    if (hasPassword && !e.secure && !e.requireStarttls) {
      ctx.addIssue({
        code: 'custom',
        message: 'would send the SMTP password unencrypted: set secure or requireStarttls to true',
        path: ['requireStarttls'],
      });
    }
  });

export const alertsSchema = z.strictObject({
  /** A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, …). */
  webhook: webhookSchema.optional(),
  email: emailSchema.optional(),
});

export type AlertsConfig = z.infer<typeof alertsSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;
export type EmailConfig = z.infer<typeof emailSchema>;
