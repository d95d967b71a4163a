import { useEffect, useId, useRef, useState } from 'react';
import {
  confinementChoices,
  describeCapabilities,
  describeConfinement,
  parseRuleText,
  visibleText,
  type ConsoleApi,
  type Decision,
  type PendingApproval,
  type ResolveOptions,
} from '@aleph/protocol';
import { typingInto } from '../keys';
import { timeLeft, useConsole } from '../store';
import { ConfinementChoice } from './ConfinementChoice';

function RiskBadge({ approval }: { approval: PendingApproval }) {
  const { level, score } = approval.risk;
  return (
    <span className={`badge risk-${level}`} aria-label={`risk ${level}, score ${score}`}>
      {level} · {score}
    </span>
  );
}

/** How far Allow Always reaches: for good, for a while, or for the agent's session. */
const REACH: readonly { readonly label: string; readonly options: ResolveOptions }[] = [
  { label: 'always', options: {} },
  { label: 'for 15 min', options: { duration_ms: 15 * 60_000 } },
  { label: 'for 1 hour', options: { duration_ms: 3_600_000 } },
  { label: 'for 8 hours', options: { duration_ms: 8 * 3_600_000 } },
  { label: 'for this session', options: { scope: 'session' } },
];

export function ApprovalCard({ api, approval, selected }: { api: ConsoleApi; approval: PendingApproval; selected: boolean }) {
  const now = useConsole((s) => s.now);
  const select = useConsole((s) => s.select);
  const tell = useConsole((s) => s.tell);
  const suggested = approval.suggested_rule === null ? '' : `${approval.suggested_rule.kind}:${approval.suggested_rule.pattern}`;
  // The field shows the rule as every other place does, hidden characters (bidi overrides among
  // them) escaped: drawn as they are, they could show it reversed or hide part of it.
  const shown = visibleText(suggested);
  const [rule, setRule] = useState(shown);
  // Left as shown, Allow Always remembers the rule itself. An edit is read as the CLI reads a
  // rule, as written; one that does not parse is never answered with.
  const edited = rule === shown ? null : parseRuleText(rule);
  const ruleField = useRef<HTMLTextAreaElement>(null);
  const ids = useId();
  const [reach, setReach] = useState(0);
  const [busy, setBusy] = useState(false);
  const tool = approval.tool;
  const command = approval.request.command;
  // A shell command's confinement: the suggestion picked until the person picks another.
  const confinable = tool === undefined && approval.suggested_confinement !== undefined;
  const { choices, preferred } = confinementChoices(approval.suggested_confinement);
  const [picked, setPicked] = useState(preferred);
  const confinement = confinable ? choices[picked] : undefined;

  const answer = async (decision: Decision) => {
    const always = decision === 'allow-always';
    if (always && edited !== null && !edited.ok) {
      tell(`Not answered: ${edited.error.message}`, 'error');
      ruleField.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const options: ResolveOptions = {
        ...(always ? { ...(edited?.ok === true ? { rule: edited.value } : {}), ...(tool === undefined ? REACH[reach]!.options : {}) } : {}),
        ...(decision === 'deny' || confinement === undefined ? {} : { confinement }),
      };
      await api.resolve(approval.id, decision, options);
      const remembers = always && tool === undefined ? ` (remembers ${edited?.ok === true ? `${edited.value.kind}:${edited.value.pattern}` : suggested})` : '';
      const runs = decision === 'deny' || confinement === undefined ? '' : `, ${describeConfinement(confinement)}`;
      tell(
        `${decision === 'deny' ? 'Denied' : decision === 'allow-once' ? 'Allowed once' : `Allowed ${tool === undefined ? REACH[reach]!.label : 'always'}`}: ${command}${remembers}${runs}`,
      );
    } catch (error) {
      tell((error as Error).message, 'error');
      setBusy(false);
    }
  };

  // The keys answer the selected card, which is the one holding the focus when one does. A key
  // typed into a field is the field's; a held key does not go on to answer the next card.
  useEffect(() => {
    if (!selected) return;
    const onKey = (e: KeyboardEvent) => {
      if (busy || e.ctrlKey || e.metaKey || e.altKey || e.repeat || typingInto(e.target)) return;
      if (e.key === 'o') void answer('allow-once');
      else if (e.key === 'a' && (approval.suggested_rule !== null || tool !== undefined)) void answer('allow-always');
      else if (e.key === 'd') void answer('deny');
      else if (e.key === 'c' && confinable) setPicked((picked + 1) % choices.length);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <article
      className={`card approval${selected ? ' selected' : ''}`}
      aria-label={`approval ${approval.id}`}
      aria-current={selected ? 'true' : undefined}
      data-approval={approval.id}
      onClick={() => select(approval.id)}
      onFocus={() => select(approval.id)}
    >
      <header className="card-head">
        <RiskBadge approval={approval} />
        <span className="verdict">{approval.verdict}</span>
        <span className="who">{visibleText(approval.request.agent_id)}</span>
        <span className="countdown" title={`answered by the fallback at ${approval.expires_at}`}>
          {timeLeft(approval.expires_at, now)} left
        </span>
      </header>
      <pre className="command">
        <code>{visibleText(command, true)}</code>
      </pre>
      <p className="cwd">
        in <code>{visibleText(approval.request.cwd)}</code>
      </p>
      <ul className="reasons">
        {approval.risk.reasons.map((r) => (
          <li key={r.code}>{visibleText(r.message)}</li>
        ))}
      </ul>
      {tool !== undefined && (
        <section className="tool" aria-label="tool contract">
          <p>
            <strong>
              {tool.gate === 'approve_contract'
                ? `Approve the capability contract of ${visibleText(tool.name)}`
                : `Confirm this run of ${visibleText(tool.name)}`}
            </strong>{' '}
            <span className="badge">{tool.stage}</span>
          </p>
          <p>{visibleText(tool.reason)}</p>
          <p>
            Runs <code>{visibleText(tool.program.path)}</code> <span className="muted">(content {visibleText(tool.program.hash.slice(0, 12))}…)</span>
          </p>
          <ul>
            {describeCapabilities(tool.capabilities, tool.directories).map((line) => (
              <li key={line}>{visibleText(line)}</li>
            ))}
          </ul>
        </section>
      )}
      {approval.suggested_rule !== null && (
        <div className="rule">
          <label htmlFor={`${ids}rule`}>Allow Always remembers</label>
          <textarea
            id={`${ids}rule`}
            ref={ruleField}
            rows={1}
            value={rule}
            onChange={(e) => setRule(e.target.value)}
            disabled={busy}
            spellCheck={false}
            aria-invalid={edited?.ok === false}
            aria-describedby={edited?.ok === false ? `${ids}problem` : undefined}
          />
          {edited === null && shown !== suggested && (
            <p className="rule-note">
              Hidden characters shown: <code>{shown}</code>
            </p>
          )}
          {edited !== null && visibleText(rule) !== rule && (
            <p className="rule-note">
              Hidden characters shown: <code>{visibleText(rule)}</code>
            </p>
          )}
          {edited?.ok === false && (
            <p className="rule-note problem" id={`${ids}problem`}>
              {edited.error.message}
            </p>
          )}
        </div>
      )}
      {confinable && (
        <ConfinementChoice
          choices={choices}
          picked={picked}
          notes={approval.confinement_notes ?? []}
          onPick={setPicked}
          disabled={busy}
          name={`${ids}confinement`}
        />
      )}
      <footer className="actions">
        <button type="button" className="primary" disabled={busy} aria-keyshortcuts="o" onClick={() => void answer('allow-once')}>
          Allow Once <kbd>o</kbd>
        </button>
        <button
          type="button"
          disabled={busy || (approval.suggested_rule === null && tool === undefined)}
          aria-keyshortcuts="a"
          onClick={() => void answer('allow-always')}
        >
          Allow Always <kbd>a</kbd>
        </button>
        {approval.suggested_rule !== null && tool === undefined && (
          <select aria-label="how long Allow Always lasts" value={reach} onChange={(e) => setReach(Number(e.target.value))} disabled={busy}>
            {REACH.map((r, i) => (
              <option key={r.label} value={i}>
                {r.label}
              </option>
            ))}
          </select>
        )}
        <button type="button" className="danger" disabled={busy} aria-keyshortcuts="d" onClick={() => void answer('deny')}>
          Deny <kbd>d</kbd>
        </button>
      </footer>
    </article>
  );
}

export function Approvals({ api }: { api: ConsoleApi }) {
  const approvals = useConsole((s) => s.approvals);
  const selected = useConsole((s) => s.selected);
  const connection = useConsole((s) => s.connection);
  if (approvals.length === 0) {
    return (
      <section className="empty" aria-live="polite">
        {connection === 'open' ? (
          <>
            <h2>All calm</h2>
            <p>No command is waiting for you. New requests appear here the moment an agent asks.</p>
          </>
        ) : (
          <>
            <h2>{connection === 'connecting' ? 'Connecting to the gateway…' : 'Not connected to the gateway'}</h2>
            <p>Requests waiting there show here once the console reaches it.</p>
          </>
        )}
      </section>
    );
  }
  return (
    <section className="approvals" aria-live="polite">
      {approvals.map((a) => (
        <ApprovalCard key={a.id} api={api} approval={a} selected={a.id === selected} />
      ))}
    </section>
  );
}
