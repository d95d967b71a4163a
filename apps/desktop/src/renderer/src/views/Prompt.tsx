import { useEffect } from 'react';
import { visibleText, type ConsoleApi } from '@aleph/protocol';
import { Notice } from '../Notice';
import { useConsole, useGatewayLink } from '../store';
import { ApprovalCard } from './Approvals';

/**
 * The desktop app's prompt window: one pending approval and its answers, nothing else. The app
 * closes the window once the request is answered, here or anywhere else.
 */
export function Prompt({ api, id }: { api: ConsoleApi; id: string }) {
  useGatewayLink(api);
  const { connection, connectionReason } = useConsole();
  const approval = useConsole((s) => s.approvals.find((a) => a.id === id));
  const others = useConsole((s) => s.approvals.length) - (approval === undefined ? 0 : 1);
  useEffect(() => {
    document.title = approval === undefined ? 'Aleph Console' : `Approve: ${visibleText(approval.request.command)}`;
  }, [approval]);
  return (
    <main className="prompt">
      {connection === 'closed' && (
        <p className="banner error" role="alert">
          {connectionReason ?? 'The connection to the gateway closed.'}
        </p>
      )}
      <Notice />
      {approval !== undefined ? (
        <ApprovalCard api={api} approval={approval} selected />
      ) : (
        <p className="muted" role="status">
          {connection === 'open' ? 'Answered.' : 'Connecting…'}
        </p>
      )}
      {approval !== undefined && others > 0 && <p className="muted">{others} more waiting</p>}
    </main>
  );
}
