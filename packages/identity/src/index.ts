export * from './roles.js';
export * from './codes.js';
export * from './keys.js';
export * from './tokens.js';
export * from './context.js';
export * from './policy-engine.js';
export * from './pairing.js';
