import { type Alert, alertFacts, oneLine } from './alert';

// The JSON a Slack incoming webhook accepts: `text` (the notification and the fallback for
// clients without Block Kit, also what Mattermost and Rocket.Chat show) plus `blocks`.
// Block Kit limits: header 150 chars, section text 3000, 10 fields of 2000 per section, 50 blocks.

const EMOJI = { error: ':rotating_light:', warning: ':warning:' } as const;
const FIELDS_PER_SECTION = 10;
const MAX_FIELD_SECTIONS = 4;

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** mrkdwn treats &, < and > as control characters. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackMessage(alert: Alert): SlackMessage {
  const emoji = EMOJI[alert.severity];
  const text = `${emoji} ${alert.severity.toUpperCase()} ${alert.integrationId}: ${oneLine(alert.title)}`;
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`${emoji} ${oneLine(alert.title)}`, 150), emoji: true },
    },
  ];
  if (alert.text.trim()) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(alert.text), 3000) } });
  }
  const facts = alertFacts(alert).map(([name, value]) => ({
    type: 'mrkdwn',
    text: clip(`*${escapeMrkdwn(name)}*\n${escapeMrkdwn(value)}`, 2000),
  }));
  const shown = facts.slice(0, FIELDS_PER_SECTION * MAX_FIELD_SECTIONS);
  for (let i = 0; i < shown.length; i += FIELDS_PER_SECTION) {
    blocks.push({ type: 'section', fields: shown.slice(i, i + FIELDS_PER_SECTION) });
  }
  if (facts.length > shown.length) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `…and ${facts.length - shown.length} more fields (see the e-mail or logs)` },
      ],
    });
  }
  return { text, blocks };
}
