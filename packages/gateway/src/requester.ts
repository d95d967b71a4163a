/**
 * What a requester needs (`aleph exec`, `aleph hook`): the client, its errors, the configuration
 * and the binding checks. Importing this entry, not the package's, keeps a short-lived client from
 * loading the server, the audit store and the shell grammar.
 */
export * from './handshake.js';
export * from './config.js';
export * from './private-file.js';
export * from './binding.js';
export * from './errors.js';
export * from './client.js';
