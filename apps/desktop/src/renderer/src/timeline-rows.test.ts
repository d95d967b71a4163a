import { describe, expect, it } from 'vitest';
import type { AuditRow, TimelinePage, TimelineQuery } from '@aleph/protocol';
import { joinNewest, searchAll } from './timeline-rows.js';

const row = (id: number): AuditRow => ({
  id,
  ts: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
  event: 'terminal_cmd',
  session: 's1',
  actor: 'agent',
  risk_level: 'low',
  decision: 'allow-once',
  summary: `cmd ${id}`,
  payload: { command: `cmd ${id}` },
  hash: 'ab'.repeat(32),
});
/** Rows `from` down to `to`, newest first, as a search returns them. */
const rows = (from: number, to: number): AuditRow[] => Array.from({ length: from - to + 1 }, (_, i) => row(from - i));
const page = (found: AuditRow[], more: boolean): TimelinePage => ({ rows: found, next_cursor: more ? 'next' : null, count: found.length, count_exact: true });

describe('joining the newest events to the timeline', () => {
  it('puts the events that came since on top, and says how many', () => {
    expect(joinNewest(rows(10, 1), page(rows(13, 4), true))).toEqual({ rows: rows(13, 1), added: 3 });
  });

  it('adds nothing when nothing came', () => {
    expect(joinNewest(rows(10, 1), page(rows(10, 5), true))).toEqual({ rows: rows(10, 1), added: 0 });
  });

  it('starts over when more came than the page holds', () => {
    expect(joinNewest(rows(10, 1), page(rows(30, 21), true))).toBeNull();
  });

  it('leaves out an imported event, appended since but older than the top row: the search puts it in its own time', () => {
    const imported = { ...row(11), ts: new Date(Date.UTC(2025, 0, 1)).toISOString() };
    expect(joinNewest(rows(10, 1), page([row(12), ...rows(10, 2)], true))).toEqual({ rows: [row(12), ...rows(10, 1)], added: 1 });
    expect(joinNewest(rows(10, 1), page(rows(10, 2).concat(imported), true))).toEqual({ rows: rows(10, 1), added: 0 });
  });

  it('takes the whole page when nothing was loaded and it is all there is', () => {
    expect(joinNewest([], page(rows(3, 1), false))).toEqual({ rows: rows(3, 1), added: 3 });
  });
});

describe('exporting a search', () => {
  it('pages through the whole result, oldest first, telling how far it got', async () => {
    const all = rows(2500, 1);
    const asked: TimelineQuery[] = [];
    const search = async (q: TimelineQuery): Promise<TimelinePage> => {
      asked.push(q);
      const start = q.cursor === undefined || q.cursor === null ? 0 : Number(q.cursor);
      const end = start + q.limit!;
      return { rows: all.slice(start, end), next_cursor: end < all.length ? String(end) : null, count: all.length, count_exact: true };
    };
    const progress: number[] = [];
    const got = await searchAll(search, { text: 'cmd', limit: 200 }, (n) => progress.push(n));
    expect(got.map((r) => r.id)).toEqual(
      rows(2500, 1)
        .map((r) => r.id)
        .reverse(),
    );
    expect(progress).toEqual([1000, 2000, 2500]);
    expect(asked.every((q) => q.text === 'cmd')).toBe(true);
  });
});
