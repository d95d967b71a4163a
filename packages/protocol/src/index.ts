export * from './result.js';
export * from './policy.js';
export * from './audit.js';
export * from './duration.js';
export * from './frames.js';
export * from './messages.js';
