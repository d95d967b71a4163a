export { CommandPolicy, toCheckResult, type EvaluateOptions, type Evaluation } from './evaluate.js';
export { loadBashParser } from './grammar.js';
export type { UserPatterns } from './rule-match.js';
export { NO_USER_PATTERNS } from './patterns.js';
export { REASONS } from './risk.js';
export { shellQuote } from './allowlist.js';
export { exampleFailure } from './rule-examples.js';
export { isProgramKey, locationKey, type GitLocation, type RepositoryContext, type RepositoryProgram, type RepositoryReport } from './repository.js';
export type { ConfinementSuggestion } from './confinement.js';
