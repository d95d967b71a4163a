/**
 * What judging a path needs, without the runner and the profile generators: an entry of its own
 * (`@aleph/sandbox/paths`) for short-lived processes such as an agent's hook, which start before
 * every tool call and must not load the rest.
 */
export { isWithin } from './capabilities.js';
export { FilesystemGuard, realPathOf } from './guard.js';
export { protectedReason, sensitiveReason } from './sensitive.js';
