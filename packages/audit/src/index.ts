export { AuditStore, AuditError, HEAD_DELAY_MS, SCHEMA_VERSION, indexEntry, type OpenOptions, type PruneOptions, type VerifyResult } from './store.js';
export { search, ftsQuery, type SearchQuery, type SearchResult } from './search.js';
export { chainHash, GENESIS } from './canonical.js';
export { importJsonLines, toCsvLine, CSV_HEADER, type ImportReport } from './transfer.js';
export { overview, overviewSteps, prepareOverview, prepareOverviewSteps, type OverviewOptions } from './overview.js';
