export * from './handshake.js';
export * from './config.js';
export * from './binding.js';
export * from './rules.js';
export * from './server.js';
export * from './client.js';
export * from './report.js';
export * from './identity-store.js';
