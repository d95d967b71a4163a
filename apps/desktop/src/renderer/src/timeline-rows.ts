/** The audit timeline's rows as the console holds them: newest first, by id, as a search returns them. */
import type { AuditRow, TimelinePage, TimelineQuery } from '@aleph/protocol';

/** The most rows the gateway gives in one page. */
const EXPORT_PAGE = 1000;

/**
 * Every row `query` finds, a page at a time, oldest first (as `aleph audit export` writes them);
 * `progress` hears how many have come so far.
 */
export async function searchAll(
  search: (query: TimelineQuery) => Promise<TimelinePage>, query: TimelineQuery, progress: (rows: number) => void,
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

/** One row as a line of the agent audit.log (what `aleph audit export --format jsonl` writes). */
export function jsonLine(row: AuditRow): string {
  return `${JSON.stringify({ ts: row.ts, event: row.event, session: row.session, ...(row.actor === null ? {} : { actor: row.actor }), ...row.payload })}\n`;
}
