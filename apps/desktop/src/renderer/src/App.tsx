import { useEffect, useState } from 'react';
import { visibleText, type ConsoleApi } from '@aleph/protocol';
import { Notice } from './Notice';
import { useConsole, useGatewayLink } from './store';
import { Approvals } from './views/Approvals';
import { Pairing } from './views/Pairing';
import { Policies } from './views/Policies';
import { Timeline } from './views/Timeline';

const TABS = ['approvals', 'pairing', 'policies', 'timeline'] as const;
type Tab = (typeof TABS)[number];
const TITLES: Record<Tab, string> = { approvals: 'Approvals', pairing: 'Pairing', policies: 'Policies', timeline: 'Audit timeline' };

export function App({ api }: { api: ConsoleApi }) {
  const [tab, setTab] = useState<Tab>('approvals');
  const { connection, connectionReason, approvals, pairings, configProblem } = useConsole();
  useGatewayLink(api);

  useEffect(() => {
    document.title = approvals.length > 0 ? `(${approvals.length}) Aleph Console` : 'Aleph Console';
  }, [approvals.length]);

  const waitingCodes = pairings.filter((p) => !p.approved).length;
  return (
    <div className="app">
      <header className="top">
        <h1>Aleph Console</h1>
        <nav aria-label="sections">
          {TABS.map((t) => (
            <button key={t} type="button" className={t === tab ? 'tab active' : 'tab'} aria-current={t === tab ? 'page' : undefined} onClick={() => setTab(t)}>
              {TITLES[t]}
              {t === 'approvals' && approvals.length > 0 && <span className="count" aria-label={`${approvals.length} pending`}>{approvals.length}</span>}
              {t === 'pairing' && waitingCodes > 0 && <span className="count" aria-label={`${waitingCodes} codes`}>{waitingCodes}</span>}
            </button>
          ))}
        </nav>
        <span className={`link link-${connection}`} role="status">{connection === 'open' ? 'connected' : connection === 'connecting' ? 'connecting…' : 'disconnected'}</span>
      </header>
      {connection === 'closed' && <p className="banner error" role="alert">{connectionReason ?? 'The connection to the gateway closed.'}</p>}
      {configProblem !== null && (
        <p className="banner error config-problem" role="alert">
          The configuration cannot be used: {visibleText(configProblem.message)} The gateway runs on the last configuration that parsed and refuses every change until the file parses again.
        </p>
      )}
      <Notice />
      <main>
        {tab === 'approvals' && <Approvals api={api} />}
        {tab === 'pairing' && <Pairing api={api} />}
        {tab === 'policies' && <Policies api={api} />}
        {tab === 'timeline' && <Timeline api={api} />}
      </main>
    </div>
  );
}
