export { AuditError } from './audit-error.js';
export { indexEntry } from './rows.js';
export { AuditStore } from './store.js';
export { search, type SearchQuery } from './search.js';
export { GENESIS } from './canonical.js';
export { CSV_HEADER, importJsonLines, toCsvLine } from './transfer.js';
export { overview, overviewSteps, prepareOverview, type OverviewOptions } from './overview.js';
