// Alert failures as two kinds: configuration (at start, every problem at once) and delivery (one
// sink, after its retries). Messages never carry a token, password or secret webhook path.

export class AlertConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}\n  - ${problems.join('\n  - ')}` : message);
    this.name = 'AlertConfigError';
  }
}

export class AlertDeliveryError extends Error {
  constructor(
    /** The sink's name, e.g. `webhook hooks.slack.com` or `email smtp.example.com:587`. */
    readonly sink: string,
    message: string,
    readonly attempts: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AlertDeliveryError';
  }
}

/** Removes known secret values from text that came from elsewhere (a server reply, a library error). */
export function scrub(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out.replace(/\s+/g, ' ').trim().slice(0, 300);
}
