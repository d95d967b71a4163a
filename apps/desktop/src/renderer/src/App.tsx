import { useEffect } from 'react';
import { visibleText, type ConsoleApi } from '@aleph/protocol';
import { Notice } from './Notice';
import { useConsole, useGatewayLink, viewOf, VIEWS, type View } from './store';
import { Approvals } from './views/Approvals';
import { Overview } from './views/Overview';
import { Pairing } from './views/Pairing';
import { Policies } from './views/Policies';
import { Timeline } from './views/Timeline';

const TITLES: Record<View, string> = { overview: 'Overview', approvals: 'Approvals', pairing: 'Pairing', policies: 'Policies', timeline: 'Audit timeline' };

export function App({ api }: { api: ConsoleApi }) {
  const { connection, connectionReason, approvals, pairings, configProblem, view, go } = useConsole();
  useGatewayLink(api);

  useEffect(() => {
    document.title = approvals.length > 0 ? `(${approvals.length}) Aleph Console` : 'Aleph Console';
  }, [approvals.length]);

  // The address follows the screen on show, and the screen follows the address (back, a typed #name).
  useEffect(() => {
    const onHash = () => {
      const named = viewOf(window.location.hash);
      if (named !== null && named !== useConsole.getState().view) go(named);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [go]);
  useEffect(() => {
    if (viewOf(window.location.hash) !== view) window.history.replaceState(null, '', `#${view}`);
  }, [view]);

  const waitingCodes = pairings.filter((p) => !p.approved).length;
  return (
    <div className="app">
      <header className="top">
        <h1>Aleph Console</h1>
        <nav aria-label="sections">
          {VIEWS.map((t) => (
            <button key={t} type="button" className={t === view ? 'tab active' : 'tab'} aria-current={t === view ? 'page' : undefined} onClick={() => go(t)}>
              {TITLES[t]}
              {t === 'approvals' && approvals.length > 0 && (
                <span className="count" aria-label={`${approvals.length} pending`}>
                  {approvals.length}
                </span>
              )}
              {t === 'pairing' && waitingCodes > 0 && (
                <span className="count" aria-label={`${waitingCodes} codes`}>
                  {waitingCodes}
                </span>
              )}
            </button>
          ))}
        </nav>
        <span className={`link link-${connection}`} role="status">
          {connection === 'open' ? 'connected' : connection === 'connecting' ? 'connecting…' : 'disconnected'}
        </span>
      </header>
      {connection === 'closed' && (
        <p className="banner error" role="alert">
          {connectionReason ?? 'The connection to the gateway closed.'}
        </p>
      )}
      {configProblem !== null && (
        <p className="banner error config-problem" role="alert">
          The configuration cannot be used: {visibleText(configProblem.message)} The gateway runs on the last configuration that parsed and refuses every change
          until the file parses again.
        </p>
      )}
      <Notice />
      <main>
        {view === 'overview' && <Overview api={api} />}
        {view === 'approvals' && <Approvals api={api} />}
        {view === 'pairing' && <Pairing api={api} />}
        {view === 'policies' && <Policies api={api} />}
        {view === 'timeline' && <Timeline api={api} />}
      </main>
    </div>
  );
}
