export * from './handshake.js';
export * from './config.js';
