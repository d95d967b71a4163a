/** The audit timeline's rows as the console holds them: newest first, by time then id, as a search returns them. */
import type { AuditRow, TimelinePage, TimelineQuery } from '@aleph/protocol';

/**
 * `loaded` with the rows of `newest` (the first page of the same search, asked again) that came
 * since, on top, and how many those are; null when that page does not reach back to what is
 * loaded (more came than a page holds), so the search starts over from `newest`.
 */
export function joinNewest(loaded: readonly AuditRow[], newest: TimelinePage): { rows: AuditRow[]; added: number } | null {
  const top = loaded[0];
  // Rows above the top one in the search's order: later, or as late and appended after it.
  const above = (r: AuditRow): boolean => top === undefined || r.ts > top.ts || (r.ts === top.ts && r.id > top.id);
  const fresh = newest.rows.filter(above);
  if (fresh.length === newest.rows.length && newest.next_cursor !== null) return null;
  return { rows: [...fresh, ...loaded], added: fresh.length };
}

/** The most rows the gateway gives in one page. */
const EXPORT_PAGE = 1000;

/**
 * Every row `query` finds, a page at a time, oldest first (as `aleph audit export` writes them);
 * `progress` hears how many have come so far.
 */
export async function searchAll(
  search: (query: TimelineQuery) => Promise<TimelinePage>,
  query: TimelineQuery,
  progress: (rows: number) => void,
): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  let cursor: string | null = null;
  do {
    const page: TimelinePage = await search({ ...query, limit: EXPORT_PAGE, ...(cursor === null ? {} : { cursor }) });
    rows.push(...page.rows);
    cursor = page.next_cursor;
    progress(rows.length);
  } while (cursor !== null);
  return rows.reverse();
}
