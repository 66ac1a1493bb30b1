// What an alert says, independent of where it goes. Plain-text rendering lives here so the
// e-mail body and the chat fallback text say the same thing.

export type AlertSeverity = 'error' | 'warning';

export interface Alert {
  severity: AlertSeverity;
  integrationId: string;
  title: string;
  text: string;
  /** Extra facts, e.g. { file: 'gl_….csv', host: 'sftp.partner.example', attempts: '5' }. Never secrets. */
  fields: Record<string, string>;
  runKey?: string;
  workflowId?: string;
  /** When it happened, RFC 3339 with an offset (we write `Z`). */
  at: string;
}

/** One line, no control characters: safe for a mail subject or a chat header. */
export function oneLine(text: string): string {
  return text.replace(/\p{Cc}+/gu, ' ').trim();
}

export function alertSubject(alert: Alert): string {
  return oneLine(`[ml-connector] ${alert.severity.toUpperCase()} ${alert.integrationId}: ${alert.title}`);
}

/** The alert's facts in fixed order: the given fields, then where and when. */
export function alertFacts(alert: Alert): [string, string][] {
  const facts: [string, string][] = Object.entries(alert.fields);
  facts.push(['integration', alert.integrationId]);
  if (alert.runKey) facts.push(['run', alert.runKey]);
  if (alert.workflowId) facts.push(['workflow', alert.workflowId]);
  facts.push(['at', alert.at]);
  return facts;
}

/** Plain text: title, text, then one `name: value` line per fact (continuation lines indented). */
export function alertPlainText(alert: Alert): string {
  const lines = [`${alert.severity.toUpperCase()}: ${oneLine(alert.title)}`, '', alert.text, ''];
  for (const [name, value] of alertFacts(alert)) lines.push(`${name}: ${value.replace(/\r?\n/g, '\n  ')}`);
  return `${lines.join('\n')}\n`;
}

/** Where an alert goes (a webhook, an e-mail relay); built by createAlertSinks. */
export interface AlertSink {
  /** What it is, without secrets: `webhook hooks.slack.com`, `email smtp.example.com:587`. */
  readonly name: string;
  /** Delivers, retrying inside the call; throws AlertDeliveryError when it gives up. */
  send(alert: Alert): Promise<void>;
}
