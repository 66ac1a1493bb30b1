// Failure alerts to a Slack-compatible webhook and/or e-mail.

export { type Alert, type AlertSeverity, alertPlainText, alertSubject } from './alert';
export { createEmailSink, type EmailSinkOptions } from './email';
export { AlertConfigError, AlertDeliveryError } from './errors';
export { DEFAULT_RETRY, type RetryPolicy } from './retry';
export {
  type AlertsConfig,
  alertsSchema,
  type EmailConfig,
  emailSchema,
  type WebhookConfig,
  webhookSchema,
} from './schema';
export { type AlertSink, type AlertSinkDeps, createAlertSinks, type SinkOutcome, sendAlert } from './sinks';
export { type SlackMessage, slackMessage } from './slack';
export { createWebhookSink, type WebhookSinkOptions } from './webhook';
