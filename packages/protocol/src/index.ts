export * from './result.js';
export * from './policy.js';
