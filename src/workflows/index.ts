// The worker loads this one entry file; every workflow is exported from here.
export { integrationWorkflow } from './integrationWorkflow';
export { replayFile } from './replayFile';
export { resyncIntegration } from './resyncIntegration';
export { retryDelivery, syncIntegration } from './syncIntegration';
