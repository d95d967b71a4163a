import { useCallback, useEffect, useState } from 'react';
import {
  OVERVIEW_RANGES,
  RISK_LEVELS,
  visibleText,
  type ChainCheck,
  type ConsoleApi,
  type Overview as Figures,
  type OverviewBucket,
  type OverviewCommand,
  type OverviewRange,
  type PolicyView,
  type RuleAction,
} from '@aleph/protocol';
import { BarChart, type Series } from '../chart';
import { clip } from '../text';
import { localTime, timeLeft, useAct, useConsole, type TimelineSearch } from '../store';

/** How often the figures are asked for again while the screen is on show. */
const REFRESH_MS = 10_000;
const RANGE_LABELS: Record<OverviewRange, string> = { hour: 'last hour', day: 'last day', week: 'last week' };

const OUTCOMES: readonly Series<OverviewBucket>[] = [
  { name: 'allowed', className: 'bar-allowed', value: (b) => b.allowed, search: { event: 'terminal_cmd' } },
  { name: 'denied', className: 'bar-denied', value: (b) => b.denied, search: { event: 'terminal_cmd', decision: 'deny' } },
];
const RISKS: readonly Series<OverviewBucket>[] = RISK_LEVELS.map((level) => ({
  name: level,
  className: `bar-${level}`,
  value: (b: OverviewBucket) => b.risk[level],
  search: { event: 'terminal_cmd', risk: level },
}));

/** "2 min", "3 h 5 min": how long something has waited. */
function waited(iso: string, now: number): string {
  const ms = Math.max(0, now - Date.parse(iso));
  return timeLeft(new Date(now + ms).toISOString(), now);
}

function Waiting() {
  const approvals = useConsole((s) => s.approvals);
  const now = useConsole((s) => s.now);
  const go = useConsole((s) => s.go);
  const oldest = approvals.reduce<(typeof approvals)[number] | undefined>((o, a) => (o === undefined || a.created_at < o.created_at ? a : o), undefined);
  return (
    <section className="card tile waiting" aria-label="what waits">
      <h2>Waiting for you</h2>
      {oldest === undefined ? (
        <p className="big calm">All calm</p>
      ) : (
        <>
          <p className="big">
            <span aria-label="waiting count">{approvals.length}</span> <span className="unit">{approvals.length === 1 ? 'request' : 'requests'}</span>
          </p>
          <p className="oldest">
            Oldest, for {waited(oldest.created_at, now)}: <code>{clip(visibleText(oldest.request.command), 80)}</code>{' '}
            <span className="muted">from {visibleText(oldest.request.agent_id)}</span>
          </p>
        </>
      )}
      <a
        href="#approvals"
        onClick={(e) => {
          e.preventDefault();
          go('approvals');
        }}
      >
        {oldest === undefined ? 'Open Approvals' : 'Answer them in Approvals'}
      </a>
    </section>
  );
}

/** A chain check walks every event (seconds over a million): one per visit to the console, unless asked again. */
let lastCheck: Promise<ChainCheck> | null = null;

function Chain({ api }: { api: ConsoleApi }) {
  const [chain, setChain] = useState<ChainCheck | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const check = useCallback(
    (again: boolean) => {
      if (again || lastCheck === null) lastCheck = api.verifyChain();
      const mine = lastCheck;
      setChain(null);
      setFailed(null);
      mine.then(setChain, (e: Error) => {
        if (lastCheck === mine) lastCheck = null;
        setFailed(e.message);
      });
    },
    [api],
  );
  useEffect(() => check(false), [check]);
  return (
    <section className="card tile" aria-label="chain status">
      <h2>Audit chain</h2>
      {failed !== null ? (
        <p className="bad">Not checked: {failed}</p>
      ) : chain === null ? (
        <p className="muted">Checking every event…</p>
      ) : chain.ok ? (
        <p className="ok">Intact over {chain.rows.toLocaleString()} events</p>
      ) : (
        <p className="bad">
          Broken: {chain.problem_count} {chain.problem_count === 1 ? 'problem' : 'problems'} over {chain.rows.toLocaleString()} events
          {chain.problems[0] === undefined
            ? ''
            : ` (first: ${chain.problems[0].id === null ? '' : `event ${chain.problems[0].id}, `}${chain.problems[0].reason})`}
        </p>
      )}
      {(chain !== null || failed !== null) && (
        <button type="button" className="link-button" onClick={() => check(true)}>
          Check again
        </button>
      )}
    </section>
  );
}

function Sandbox({ figures }: { figures: Figures | null }) {
  const s = figures?.sandbox;
  return (
    <section className="card tile" aria-label="sandbox status">
      <h2>Sandbox</h2>
      {s === undefined ? (
        <p className="muted">…</p>
      ) : s.available ? (
        <p className={s.enabled ? 'ok' : 'bad'}>
          {s.enabled ? 'Available' : 'Available, but turned off'}: {s.platform === 'macos' ? 'Seatbelt' : s.platform === 'linux' ? 'bubblewrap' : s.platform}{' '}
          <span className="muted">({s.launcher})</span>
        </p>
      ) : (
        <p className="bad">
          Unavailable: {s.reason} {s.when_unavailable === 'refuse' ? 'Runs are refused.' : 'Runs go unconfined.'}
        </p>
      )}
    </section>
  );
}

/** A command of the top lists: a link to its search, and a one-click rule, asked to confirm. */
function CommandRow({
  command,
  denied,
  rule,
}: {
  command: OverviewCommand;
  denied: boolean;
  rule: (c: OverviewCommand, action: RuleAction) => Promise<boolean>;
}) {
  const go = useConsole((s) => s.go);
  const [confirming, setConfirming] = useState(false);
  // Denied: a deny rule stops the asking; approved every time: an allow rule.
  const action: RuleAction | null = denied ? 'deny' : command.denied === 0 && command.decisions > 1 ? 'allow' : null;
  const shown = visibleText(command.command);
  const search: TimelineSearch = { text: command.command, event: 'terminal_cmd', ...(denied ? { decision: 'deny' } : {}) };
  return (
    <li className="command-row">
      <a
        href="#timeline"
        className="command-link"
        title={`Search the timeline for ${shown}`}
        onClick={(e) => {
          e.preventDefault();
          go('timeline', search);
        }}
      >
        <code>{clip(shown, 90)}</code>
      </a>
      <span className="figure" aria-label={denied ? `${command.denied} denied` : `${command.decisions} asked`}>
        {denied ? command.denied : command.decisions}
      </span>
      {action !== null &&
        command.agent !== null &&
        (confirming ? (
          <span className="confirm" role="group" aria-label="confirm the rule">
            <span>
              {action === 'deny' ? 'Deny' : 'Allow'} <code>exact:{clip(shown, 60)}</code> for {visibleText(command.agent)} from now on?
            </span>
            <button
              type="button"
              className={action === 'deny' ? 'danger' : 'primary'}
              onClick={() => void rule(command, action).then(() => setConfirming(false))}
            >
              Add {action} rule
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" className="rule-button" onClick={() => setConfirming(true)}>
            {action === 'deny' ? 'Always deny…' : 'Always allow…'}
          </button>
        ))}
    </li>
  );
}

function Commands({
  title,
  commands,
  denied,
  rule,
  empty,
}: {
  title: string;
  commands: readonly OverviewCommand[];
  denied: boolean;
  rule: (c: OverviewCommand, action: RuleAction) => Promise<boolean>;
  empty: string;
}) {
  return (
    <section className="card tile wide" aria-label={title}>
      <h2>{title}</h2>
      {commands.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ol className="commands">
          {commands.map((c) => (
            <CommandRow key={c.command} command={c} denied={denied} rule={rule} />
          ))}
        </ol>
      )}
    </section>
  );
}

function Agents({ figures, policy }: { figures: Figures; policy: PolicyView | null }) {
  const modes = new Map(policy?.agents.map((a) => [a.agent, a.mode]) ?? []);
  return (
    <section className="card tile wide" aria-label="agents">
      <h2>Agents</h2>
      {figures.agents.length === 0 ? (
        <p className="muted">No agent has asked for anything yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="agents">
            <thead>
              <tr>
                <th>Agent</th>
                <th>Mode</th>
                <th>Last active</th>
                <th className="num">Decisions</th>
                <th className="num">Allowed</th>
                <th className="num">Denied</th>
                <th className="num">Asked you</th>
              </tr>
            </thead>
            <tbody>
              {figures.agents.map((a) => (
                <tr key={a.agent} aria-label={`agent ${visibleText(a.agent)}`}>
                  <td>{a.agent === '' ? <span className="muted">unknown</span> : visibleText(a.agent)}</td>
                  <td>{policy === null ? '…' : (modes.get(a.agent) ?? `default (${policy.default_mode})`)}</td>
                  <td className="muted">{localTime(a.last_seen)}</td>
                  <td className="num">{a.decisions}</td>
                  <td className="num">{a.allowed}</td>
                  <td className="num">{a.denied}</td>
                  <td className="num">{a.asked}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The first screen: what waits, what was decided lately, by whom, on what; the chain and the sandbox. */
export function Overview({ api }: { api: ConsoleApi }) {
  const tell = useConsole((s) => s.tell);
  const go = useConsole((s) => s.go);
  const answered = useConsole((s) => s.approvals.length);
  const connection = useConsole((s) => s.connection);
  const [range, setRange] = useState<OverviewRange>('day');
  const [figures, setFigures] = useState<Figures | null>(null);
  const [policy, setPolicy] = useState<PolicyView | null>(null);

  const refresh = useCallback(async () => {
    const [o, p] = await Promise.all([api.overview(range), api.policy()]);
    setFigures(o);
    setPolicy(p);
  }, [api, range]);
  useEffect(() => {
    if (connection !== 'open') return;
    void refresh().catch((e: Error) => tell(e.message, 'error'));
    const again = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh().catch(() => undefined);
    }, REFRESH_MS);
    return () => clearInterval(again);
  }, [refresh, answered, connection, tell]);
  const act = useAct(refresh);
  const rule = (c: OverviewCommand, action: RuleAction) =>
    act(
      () => api.addRule({ agent: c.agent ?? '', action, kind: 'exact', pattern: c.command }),
      (r) => `Added ${r.action} ${r.kind}:${r.pattern} for ${r.agent}`,
    );
  const open = (search: TimelineSearch) => go('timeline', search);

  return (
    <section className="overview">
      <div className="tiles">
        <Waiting />
        <Chain api={api} />
        <Sandbox figures={figures} />
      </div>
      <section className="card chart-card" aria-label="decisions over time" data-range={figures?.range}>
        <header className="chart-head">
          <h2>Decisions</h2>
          {figures !== null && (
            <p className="totals" aria-label="totals">
              <span className="swatch bar-allowed" /> <span aria-label="allowed">{figures.totals.allowed}</span> allowed
              {' · '}
              <span className="swatch bar-denied" /> <span aria-label="denied">{figures.totals.denied}</span> denied
              {' · '}
              <span aria-label="asked">{figures.totals.asked}</span> asked you
            </p>
          )}
          <div className="segmented" role="radiogroup" aria-label="time range">
            {OVERVIEW_RANGES.map((r) => (
              <button key={r} type="button" role="radio" aria-checked={r === range} className={r === range ? 'active' : ''} onClick={() => setRange(r)}>
                {RANGE_LABELS[r]}
              </button>
            ))}
          </div>
        </header>
        {figures === null ? (
          <p className="muted">Counting…</p>
        ) : (
          <div className="charts">
            <BarChart title="by outcome" buckets={figures.buckets} bucketMs={figures.bucket_ms} series={OUTCOMES} open={open} />
            <BarChart title="by risk" buckets={figures.buckets} bucketMs={figures.bucket_ms} series={RISKS} open={open} />
          </div>
        )}
      </section>
      {figures !== null && (
        <>
          <div className="tiles two">
            <Commands title="Most asked for" commands={figures.most_asked} denied={false} rule={rule} empty="No command was decided on yet." />
            <Commands title="Most denied" commands={figures.most_denied} denied rule={rule} empty="No command was denied." />
          </div>
          <Agents figures={figures} policy={policy} />
        </>
      )}
    </section>
  );
}
