// The read-only audit page (`ml-connector ui`): integrations, files, search by business number,
// quarantine, failures and runs, from the ledger's report queries.

export { authorized, checkBind, isLoopback, readUiAuth, type UiAuth, UiAuthError } from './auth';
export { DEFAULT_UI_HOST, DEFAULT_UI_PORT, temporalUiUrl, UI_OPTIONS, uiCommand } from './cli';
export { escapeHtml, Html, html } from './html';
export { startUiServer, type UiServer, type UiServerOptions } from './server';
