export { CommandPolicy, toCheckResult, type EvaluateOptions, type Evaluation } from './evaluate.js';
export { loadBashParser } from './grammar.js';
export type { UserPatterns } from './classify.js';
export { parseUserPatterns, NO_USER_PATTERNS } from './patterns.js';
export { REASONS, type ReasonCode } from './risk.js';
export { MAX_COMMAND_LENGTH, MAX_REPARSE_DEPTH } from './decompose.js';
export { shellQuote } from './allowlist.js';
export { exampleFailure } from './rule-examples.js';
export { isProgramKey, locationKey, type GitLocation, type RepositoryContext, type RepositoryProgram, type RepositoryReport } from './repository.js';
