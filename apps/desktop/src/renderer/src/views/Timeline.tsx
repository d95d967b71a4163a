import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import {
  AUDIT_EVENT_TYPES,
  RISK_LEVELS,
  visibleText,
  type AuditEventType,
  type AuditRow,
  type ChainCheck,
  type ConsoleApi,
  type RiskLevel,
  type TimelineQuery,
  toJsonLine,
} from '@aleph/protocol';
import { download } from '../download';
import { typingInto } from '../keys';
import { localTime, useConsole, type TimelineSearch } from '../store';
import { joinNewest, searchAll } from '../timeline-rows';

const ROW_HEIGHT = 36;
const PAGE = 200;
/** Rows drawn beyond the visible ones, above and below. */
const OVERSCAN = 10;
/**
 * How often the timeline looks for events that came since, and how many it asks for. The gateway
 * tells the console of approvals, not of every event (a safe command runs without one).
 */
const LIVE_MS = 2000;
const LIVE_PAGE = 50;

interface Filters {
  text: string;
  event: AuditEventType | '';
  decision: string;
  risk: RiskLevel | '';
  session: string;
  sinceHours: string;
  /** A span another screen asked for (a bar of the Overview's chart); epoch milliseconds. */
  span: { since: number; until: number } | null;
}

const NO_FILTERS: Filters = { text: '', event: '', decision: '', risk: '', session: '', sinceHours: '', span: null };

/** The filters of a search another screen opened the timeline with. */
function filtersOf(search: TimelineSearch | null): Filters {
  if (search === null) return NO_FILTERS;
  return {
    ...NO_FILTERS,
    text: search.text ?? '',
    event: search.event ?? '',
    decision: search.decision ?? '',
    risk: search.risk ?? '',
    span: search.since === undefined || search.until === undefined ? null : { since: search.since, until: search.until },
  };
}

function queryOf(f: Filters, limit = PAGE): TimelineQuery {
  return {
    ...(f.text.trim() === '' ? {} : { text: f.text.trim() }),
    ...(f.event === '' ? {} : { events: [f.event] }),
    ...(f.decision === '' ? {} : { decisions: [f.decision] }),
    ...(f.risk === '' ? {} : { risks: [f.risk] }),
    ...(f.session.trim() === '' ? {} : { session: f.session.trim() }),
    ...(f.sinceHours === '' ? {} : { since: Date.now() - Number(f.sinceHours) * 3_600_000 }),
    ...(f.span === null ? {} : { since: Math.max(f.span.since, f.sinceHours === '' ? 0 : Date.now() - Number(f.sinceHours) * 3_600_000), until: f.span.until }),
    limit,
  };
}

export function Timeline({ api }: { api: ConsoleApi }) {
  const tell = useConsole((s) => s.tell);
  // A search another screen sent here is taken once (coming back to the tab starts afresh); one
  // sent while the timeline is on show replaces the search.
  const sent = useConsole((s) => s.timelineSearch);
  const opened = useRef(sent);
  const [filters, setFilters] = useState<Filters>(() => filtersOf(opened.current));
  useEffect(() => {
    if (sent === null) return;
    useConsole.setState({ timelineSearch: null });
    if (sent !== opened.current) setFilters(filtersOf(sent));
  }, [sent]);
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [count, setCount] = useState<{ n: number; exact: boolean } | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [exporting, setExporting] = useState<number | null>(null);
  const [detail, setDetail] = useState<AuditRow | null>(null);
  const [chain, setChain] = useState<ChainCheck | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const list = useRef<HTMLDivElement>(null);
  const closer = useRef<HTMLButtonElement>(null);
  /** The row whose detail is open, to take the focus back when it closes. */
  const opener = useRef<HTMLElement | null>(null);
  const generation = useRef(0);
  const loaded = useRef(rows);
  loaded.current = rows;
  /** Rows just put above the ones on screen, by which to move down so those stay in place. */
  const shift = useRef(0);

  /**
   * One page: the first of a search, the next one after a cursor, or the newest again, whose rows
   * that came since join the top. One at a time (each waits for `loading` to end); a new search
   * makes any page still coming for the old one be dropped.
   */
  const load = useCallback(
    async (f: Filters, page: 'first' | 'newest' | { after: string }) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const found = await api.searchTimeline(
          page === 'newest' ? queryOf(f, LIVE_PAGE) : { ...queryOf(f), ...(page === 'first' ? {} : { cursor: page.after }) },
        );
        if (mine !== generation.current) return;
        const joined = page === 'newest' ? joinNewest(loaded.current, found) : null;
        if (joined !== null) {
          shift.current = joined.added;
          setRows(joined.rows);
        } else if (typeof page === 'object') {
          setRows((old) => [...old, ...found.rows]);
          setCursor(found.next_cursor);
        } else {
          // A new search, or more came since than a page holds: from the top.
          list.current?.scrollTo({ top: 0 });
          setRows([...found.rows]);
          setCursor(found.next_cursor);
        }
        setCount({ n: found.count, exact: found.count_exact });
      } catch (error) {
        // While the gateway is out of reach the banner says so; looking again is not worth a notice.
        if (page !== 'newest') tell((error as Error).message, 'error');
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [api, tell],
  );

  // A new search a moment after the last keystroke, or at once on Enter.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const searchNow = useCallback(
    (f: Filters) => {
      clearTimeout(pending.current);
      void load(f, 'first');
    },
    [load],
  );
  useEffect(() => {
    pending.current = setTimeout(() => searchNow(filters), filters.text === '' ? 0 : 120);
    return () => clearTimeout(pending.current);
  }, [filters, searchNow]);

  // Live: what came since joins the top while the page is in sight.
  useEffect(() => {
    if (loading) return;
    const looking = setInterval(() => {
      if (document.visibilityState === 'visible') void load(filters, 'newest');
    }, LIVE_MS);
    return () => clearInterval(looking);
  }, [loading, filters, load]);

  // Rows that joined above the ones being read push them down; the view follows, unless at the top.
  useLayoutEffect(() => {
    const el = list.current;
    if (shift.current > 0 && el !== null && el.scrollTop > 0) {
      el.scrollTop += shift.current * ROW_HEIGHT;
      setScrollTop(el.scrollTop);
    }
    shift.current = 0;
  }, [rows]);

  useEffect(() => {
    const el = list.current;
    if (el === null) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  // Near the end of what is loaded: the next page.
  useEffect(() => {
    if (!loading && cursor !== null && last >= rows.length - OVERSCAN) void load(filters, { after: cursor });
  }, [last, rows.length, cursor, loading, filters, load]);

  // The detail takes the focus when it opens, and gives it back to its row when it closes.
  useEffect(() => {
    if (detail !== null) closer.current?.focus();
  }, [detail]);
  const closeDetail = useCallback(() => {
    setDetail(null);
    (opener.current?.isConnected === true ? opener.current : list.current)?.focus();
  }, []);
  useEffect(() => {
    if (detail === null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !typingInto(e.target)) closeDetail();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [detail, closeDetail]);

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((f) => ({ ...f, [key]: value }));
  // The whole result of the search, not only the rows loaded so far.
  const exportAll = async () => {
    setExporting(0);
    try {
      const all = await searchAll((q) => api.searchTimeline(q), queryOf(filters), setExporting);
      download(
        'aleph-audit.jsonl',
        all.map((row) => `${toJsonLine(row)}\n`),
        'application/x-ndjson',
      );
      tell(`Exported ${all.length} events to aleph-audit.jsonl`);
    } catch (error) {
      tell(`Nothing exported: ${(error as Error).message}`, 'error');
    } finally {
      setExporting(null);
    }
  };

  return (
    <section className="timeline">
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          searchNow(filters);
        }}
      >
        <input
          type="search"
          placeholder="Search commands, paths, devices…"
          aria-label="search the timeline"
          value={filters.text}
          onChange={(e) => set('text', e.target.value)}
          autoFocus
        />
        <select aria-label="event" value={filters.event} onChange={(e) => set('event', e.target.value as AuditEventType | '')}>
          <option value="">every event</option>
          {AUDIT_EVENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <select aria-label="decision" value={filters.decision} onChange={(e) => set('decision', e.target.value)}>
          <option value="">any decision</option>
          {['allow-once', 'allow-always', 'deny'].map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
        <select aria-label="risk" value={filters.risk} onChange={(e) => set('risk', e.target.value as RiskLevel | '')}>
          <option value="">any risk</option>
          {RISK_LEVELS.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <input aria-label="session" placeholder="session" value={filters.session} onChange={(e) => set('session', e.target.value)} />
        <select aria-label="time" value={filters.sinceHours} onChange={(e) => set('sinceHours', e.target.value)}>
          <option value="">all time</option>
          <option value="1">last hour</option>
          <option value="24">last day</option>
          <option value="168">last week</option>
        </select>
        {filters.span !== null && (
          <button type="button" className="chip" aria-label="remove the time span" onClick={() => set('span', null)}>
            {localTime(new Date(filters.span.since).toISOString())} – {localTime(new Date(filters.span.until).toISOString())} ×
          </button>
        )}
        <button type="button" onClick={() => void api.verifyChain().then(setChain, (e: Error) => tell(e.message, 'error'))}>
          Verify chain
        </button>
        <button type="button" onClick={() => void exportAll()} disabled={rows.length === 0 || exporting !== null}>
          {exporting === null ? 'Export' : 'Exporting…'}
        </button>
      </form>
      <p className="muted summary" aria-live="polite">
        {count === null ? 'Searching…' : `${count.n}${count.exact ? '' : '+'} events${rows.length < count.n ? `, ${rows.length} loaded` : ''}`}
        {exporting !== null && ` · exporting, ${exporting} of ${count?.n ?? '?'}${count?.exact === false ? '+' : ''} so far`}
        {chain !== null &&
          (chain.ok ? (
            <span className="ok"> · chain intact over {chain.rows} events</span>
          ) : (
            <span className="bad"> · chain broken: {chainProblems(chain)}</span>
          ))}
      </p>
      <div className="rows" ref={list} tabIndex={-1} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} role="list" aria-label="audit events">
        <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
          {rows.slice(first, last).map((r, i) => (
            <button
              type="button"
              role="listitem"
              key={r.id}
              className={`event-row risk-${r.risk_level ?? 'none'}`}
              style={{ top: (first + i) * ROW_HEIGHT, height: ROW_HEIGHT }}
              onClick={(e) => {
                opener.current = e.currentTarget;
                setDetail(r);
              }}
            >
              <time dateTime={r.ts}>{localTime(r.ts, true)}</time>
              <span className="event-type">{r.event}</span>
              <span className="event-summary">{visibleText(r.summary)}</span>
            </button>
          ))}
        </div>
        {count !== null && rows.length === 0 && <p className="empty-rows">Nothing matches.</p>}
      </div>
      {detail !== null && (
        <aside className="drawer" role="dialog" aria-label="event detail">
          <header>
            <h3>
              {detail.event} #{detail.id}
            </h3>
            <button type="button" ref={closer} onClick={closeDetail} aria-label="close" aria-keyshortcuts="Escape">
              ×
            </button>
          </header>
          <dl>
            <dt>time</dt>
            <dd>{detail.ts}</dd>
            <dt>session</dt>
            <dd>{detail.session === null ? '—' : visibleText(detail.session)}</dd>
            <dt>actor</dt>
            <dd>{detail.actor === null ? '—' : visibleText(detail.actor)}</dd>
            <dt>hash</dt>
            <dd className="mono">{detail.hash}</dd>
          </dl>
          <pre>{visibleText(JSON.stringify(detail.payload, null, 2), true)}</pre>
        </aside>
      )}
    </section>
  );
}

/** Every problem a check found, counted, and those it lists in words. */
function chainProblems(chain: ChainCheck): string {
  const listed = chain.problems.map((p) => (p.id === null ? p.reason : `event ${p.id}: ${p.reason}`));
  const more = chain.problem_count - chain.problems.length;
  return `${chain.problem_count} ${chain.problem_count === 1 ? 'problem' : 'problems'} over ${chain.rows} events. ${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`;
}
