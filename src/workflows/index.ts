// The worker loads this one entry file; every workflow is exported from here.
export { retryDelivery, syncIntegration } from './syncIntegration';
