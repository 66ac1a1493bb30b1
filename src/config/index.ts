// The configuration: one strict schema, loaded from YAML or JSON with positions (./load).

export * from './env';
export * from './errors';
export { loadConfig as loadConfigFile } from './load';
export * from './parse';
export * from './schema';
export { heapGrowingNotApplied, heapLimitNotApplied, workerNodeFlags } from './workerFlags';
