import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import {
  describeConfinement,
  visibleText,
  type ConsoleApi,
  type PolicyView,
  type RuleAction,
  type RuleDraft,
  type RulesFile,
  type RuleView,
  type SecurityMode,
} from '@aleph/protocol';
import { download } from '../download';
import { localTime, timeLeft, useAct, useConsole } from '../store';
import { clip } from '../text';

const MODES: readonly SecurityMode[] = ['safe', 'dev', 'unrestricted'];
const ACTIONS: readonly RuleAction[] = ['deny', 'ask', 'allow'];
const KINDS = ['prefix', 'exact', 'path'] as const;
/** How long a rule added here lasts. */
const LIFETIMES: readonly { readonly label: string; readonly ms: number | null }[] = [
  { label: 'until removed', ms: null },
  { label: '15 min', ms: 15 * 60_000 },
  { label: '1 hour', ms: 3_600_000 },
  { label: '1 day', ms: 86_400_000 },
  { label: '7 days', ms: 7 * 86_400_000 },
];

const when = (iso: string | null, never: string): string => (iso === null ? never : localTime(iso));

/** A rule as the person reads it: `kind:pattern`, hidden characters made visible. */
const ruleText = (r: RuleView): string => visibleText(`${r.kind}:${r.pattern}`);

/** A grant: a rule that ends by itself, at a time or with the agent's session. */
const isGrant = (r: RuleView): boolean => r.expires_at !== null || r.session !== null;

/** What an export holds of a rule: enough to add it again elsewhere. Session grants stay behind. */
function draftOf(r: RuleView): RuleDraft {
  return {
    agent: r.agent,
    action: r.action,
    kind: r.kind,
    pattern: r.pattern,
    ...(r.message === null ? {} : { message: r.message }),
    ...(r.expires_at === null ? {} : { expires_at: r.expires_at }),
    ...(r.confinement === undefined ? {} : { confinement: r.confinement }),
  };
}

function AddRule({ agents, add }: { agents: readonly string[]; add: (draft: RuleDraft) => Promise<boolean> }) {
  const [agent, setAgent] = useState(agents[0] ?? '');
  const [action, setAction] = useState<RuleAction>('allow');
  const [kind, setKind] = useState<(typeof KINDS)[number]>('prefix');
  const [pattern, setPattern] = useState('');
  const [message, setMessage] = useState('');
  const [lifetime, setLifetime] = useState(0);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ms = LIFETIMES[lifetime]!.ms;
    const added = await add({
      agent: agent.trim(),
      action,
      kind,
      pattern,
      ...(action === 'deny' && message !== '' ? { message } : {}),
      ...(ms === null ? {} : { expires_at: new Date(Date.now() + ms).toISOString() }),
    });
    if (added) {
      setPattern('');
      setMessage('');
    }
  };
  return (
    <form className="card add-rule" aria-label="add a rule" onSubmit={(e) => void submit(e)}>
      <label>
        Agent <input value={agent} onChange={(e) => setAgent(e.target.value)} list="agents" required spellCheck={false} size={14} />
      </label>
      <datalist id="agents">
        {agents.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <label>
        Action{' '}
        <select value={action} onChange={(e) => setAction(e.target.value as RuleAction)}>
          {ACTIONS.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
      </label>
      <label>
        Match{' '}
        <select value={kind} onChange={(e) => setKind(e.target.value as (typeof KINDS)[number])}>
          {KINDS.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </label>
      <label className="grow">
        Pattern{' '}
        <input
          value={pattern}
          onChange={(e) => setPattern(e.target.value)}
          required
          spellCheck={false}
          placeholder={kind === 'path' ? '/usr/local/bin/*' : 'git push *'}
        />
      </label>
      {action === 'deny' && (
        <label className="grow">
          Message to the agent <input value={message} onChange={(e) => setMessage(e.target.value)} placeholder="Releases go through CI." />
        </label>
      )}
      <label>
        Lasts{' '}
        <select value={lifetime} onChange={(e) => setLifetime(Number(e.target.value))}>
          {LIFETIMES.map((l, i) => (
            <option key={l.label} value={i}>
              {l.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary">
        Add rule
      </button>
    </form>
  );
}

function RuleRow({ rule, now, remove }: { rule: RuleView; now: number; remove: (r: RuleView) => void }) {
  return (
    <tr aria-label={`rule ${rule.id}`}>
      <td>
        <span className={`badge action-${rule.action}`}>{rule.action}</span>
      </td>
      <td className="pattern">
        <code>{ruleText(rule)}</code>
        {rule.message !== null && <div className="muted">“{visibleText(rule.message)}”</div>}
        {rule.confinement !== undefined && (
          <div className={rule.confinement.kind === 'unconfined' ? 'unconfined' : 'muted'}>runs {visibleText(describeConfinement(rule.confinement))}</div>
        )}
      </td>
      <td className="agent">{visibleText(rule.agent)}</td>
      <td>{visibleText(rule.source)}</td>
      <td className="muted">{when(rule.last_used_at, 'never')}</td>
      <td className="countdown">{rule.session !== null ? 'this session' : rule.expires_at === null ? '—' : `${timeLeft(rule.expires_at, now)} left`}</td>
      <td>
        <button type="button" className="danger" onClick={() => remove(rule)} aria-label={`delete rule ${clip(ruleText(rule), 80)}`}>
          Delete
        </button>
      </td>
    </tr>
  );
}

function RuleTable({ rules, now, remove, caption }: { rules: readonly RuleView[]; now: number; remove: (r: RuleView) => void; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="rules">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th>Action</th>
            <th>Rule</th>
            <th>Agent</th>
            <th>From</th>
            <th>Last used</th>
            <th>Expires</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <RuleRow key={r.id} rule={r} now={now} remove={remove} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Policies({ api }: { api: ConsoleApi }) {
  const now = useConsole((s) => s.now);
  const tell = useConsole((s) => s.tell);
  // An answer from Approvals may have added a rule or a grant: look again when one is answered.
  const answered = useConsole((s) => s.approvals.length);
  const [policy, setPolicy] = useState<PolicyView | null>(null);
  const [query, setQuery] = useState('');
  const [action, setAction] = useState<RuleAction | ''>('');
  const [newAgent, setNewAgent] = useState('');
  const file = useRef<HTMLInputElement>(null);

  const refresh = async () => setPolicy(await api.policy());
  useEffect(() => {
    void refresh().catch((e: Error) => tell(e.message, 'error'));
  }, [answered]);
  const act = useAct(refresh);

  const live = useMemo(() => (policy?.rules ?? []).filter((r) => r.expires_at === null || Date.parse(r.expires_at) > now), [policy, now]);
  const shown = useMemo(() => {
    const words = query
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w !== '');
    return live.filter(
      (r) =>
        !isGrant(r) &&
        (action === '' || r.action === action) &&
        words.every((w) => `${r.kind}:${r.pattern} ${r.agent} ${r.source} ${r.message ?? ''}`.toLowerCase().includes(w)),
    );
  }, [live, query, action]);
  const grants = live.filter(isGrant);

  if (policy === null) return <p className="muted">Loading policies…</p>;
  const remove = (r: RuleView) => void act(() => api.removeRule(r.id), `Deleted ${r.action} ${r.kind}:${r.pattern} for ${r.agent}`);
  const exportRules = () => {
    const body: RulesFile = { version: 1, rules: live.filter((r) => r.session === null).map(draftOf) };
    download(`aleph-rules-${new Date(now).toISOString().slice(0, 10)}.json`, [`${JSON.stringify(body, null, 2)}\n`], 'application/json');
  };
  const importRules = async (picked: File | undefined) => {
    if (picked === undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await picked.text());
    } catch {
      tell(`${picked.name} is not JSON: export rules here to see the format.`, 'error');
      return;
    }
    await act(
      () => api.importRules(parsed as RulesFile),
      (n) => `Imported ${n} rules from ${picked.name}`,
    );
    if (file.current !== null) file.current.value = '';
  };
  const agents = policy.agents.map((a) => a.agent);

  return (
    <section className="policies">
      <h2>Modes</h2>
      <div className="card modes">
        <label className="row">
          Default for every agent
          <select
            aria-label="default mode"
            value={policy.default_mode}
            onChange={(e) => void act(() => api.setMode(e.target.value as SecurityMode), `Default mode: ${e.target.value}`)}
          >
            {MODES.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        {policy.agents.map((a) => (
          <label key={a.agent} className="row">
            {visibleText(a.agent)}
            <select
              aria-label={`mode of ${visibleText(a.agent)}`}
              value={a.mode ?? ''}
              onChange={(e) => void act(() => api.setMode(e.target.value as SecurityMode, a.agent), `${a.agent}: ${e.target.value}`)}
            >
              {a.mode === null && <option value="">default ({policy.default_mode})</option>}
              {MODES.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </label>
        ))}
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => api.setMode(policy.default_mode, newAgent.trim()), `${newAgent.trim()}: ${policy.default_mode}`).then(
              (done) => done && setNewAgent(''),
            );
          }}
        >
          <input
            aria-label="another agent"
            placeholder="another agent's id"
            value={newAgent}
            onChange={(e) => setNewAgent(e.target.value)}
            spellCheck={false}
            required
          />
          <button type="submit">Give it its own mode</button>
        </form>
      </div>

      <h2>Timed grants</h2>
      {grants.length === 0 ? (
        <p className="muted">No grant is running. “Allow Always” for 15 min, an hour or a session puts one here; each ends by itself.</p>
      ) : (
        <RuleTable rules={grants} now={now} remove={remove} caption="timed grants" />
      )}

      <h2>Rules</h2>
      <div className="filters">
        <input
          type="search"
          aria-label="search rules"
          placeholder="Search rules: pattern, agent, source…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <select aria-label="action" value={action} onChange={(e) => setAction(e.target.value as RuleAction | '')}>
          <option value="">every action</option>
          {ACTIONS.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
        <button type="button" onClick={exportRules} disabled={live.length === 0}>
          Export
        </button>
        <button type="button" onClick={() => file.current?.click()}>
          Import…
        </button>
        <input ref={file} type="file" accept="application/json,.json" hidden aria-label="rules file" onChange={(e) => void importRules(e.target.files?.[0])} />
      </div>
      <AddRule
        agents={agents}
        add={(draft) =>
          act(
            () => api.addRule(draft),
            (r) => `Added ${r.action} ${r.kind}:${r.pattern} for ${r.agent}`,
          )
        }
      />
      {shown.length === 0 ? (
        <p className="muted">{live.some((r) => !isGrant(r)) ? 'No rule matches.' : 'No rules yet. Deny rules are checked first, then ask, then allow.'}</p>
      ) : (
        <RuleTable rules={shown} now={now} remove={remove} caption="rules" />
      )}
    </section>
  );
}
