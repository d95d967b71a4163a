export * from './handshake.js';
