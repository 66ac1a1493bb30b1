// Key hygiene as the integration workflow and the checkKeyHygiene activity agree on it: the
// patch that added the daily check, how often it runs, and its small result (the findings
// themselves stay in the ledger).

/** Patch ID: the integration workflow checks keys, credentials and host key pins once a day. */
export const KEY_HYGIENE_PATCH = 'key-hygiene';

/** How often the integration workflow runs checkKeyHygiene. */
export const KEY_HYGIENE_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface KeyHygieneResult {
  /** Items checked, and how many are near or past their date. */
  items: number;
  warn: number;
  expired: number;
  /** The alert for the items not yet alerted today (at most once per item per day); null: none. */
  alert: {
    severity: 'error' | 'warning';
    integrationId: string;
    title: string;
    text: string;
    fields: Record<string, string>;
  } | null;
}

/** What the workflow keeps of its last check (carried across continue-as-new, shown by `status`). */
export interface LastKeyHygiene {
  at: string;
  warn: number;
  expired: number;
  /** The check could not run (its activity failed); it is tried again next turn. */
  error?: string;
}
