import { useEffect } from 'react';
import type { ConsoleApi } from '@aleph/protocol';
import { timeLeft, useConsole } from '../store';

export function Pairing({ api }: { api: ConsoleApi }) {
  const { pairings, devices, now, pairingVersion, setPairings, setDevices, tell } = useConsole();
  const refresh = async () => {
    setPairings(await api.pairings());
    setDevices(await api.devices());
  };
  // Again whenever a pairing comes or ends: a device that proves its key joins the list.
  useEffect(() => {
    void refresh().catch((e: Error) => tell(e.message, 'error'));
  }, [pairingVersion]);
  const act = async (what: () => Promise<void>, done: string) => {
    try {
      await what();
      tell(done);
      await refresh();
    } catch (error) {
      tell((error as Error).message, 'error');
    }
  };
  const waiting = pairings.filter((p) => !p.approved);
  return (
    <section className="pairing">
      <h2>Pairing codes</h2>
      {waiting.length === 0 ? <p className="muted">No device is asking to pair. On the device, run <code>aleph pairing request --name NAME</code>.</p> : (
        <ul className="list">
          {waiting.map((p) => (
            <li key={p.code} className="card row" aria-label={`pairing ${p.code}`}>
              <span className="code">{p.code}</span>
              <span>{p.name} <span className="muted">({p.type})</span></span>
              {p.fingerprint !== null && <span className="muted mono">{p.fingerprint}</span>}
              <span className="countdown">{timeLeft(p.expires_at, now)} left</span>
              <button type="button" className="primary" onClick={() => void act(() => api.approvePairing(p.code), `Approved ${p.name}`)}>Approve</button>
              <button type="button" className="danger" onClick={() => void act(() => api.rejectPairing(p.code), `Rejected ${p.name}`)}>Reject</button>
            </li>
          ))}
        </ul>
      )}
      <h2>Paired devices</h2>
      {devices.length === 0 ? <p className="muted">No device is paired yet.</p> : (
        <ul className="list">
          {devices.map((d) => (
            <li key={d.id} className="card row" aria-label={`device ${d.name}`}>
              <span>{d.name} <span className="muted">({d.type}, {d.role})</span></span>
              <span className="muted mono">{d.fingerprint}</span>
              <span className="muted">{d.revoked_at !== null ? `revoked ${d.revoked_at.slice(0, 16).replace('T', ' ')}` : d.last_seen_at === null ? 'never seen' : `seen ${d.last_seen_at.slice(0, 16).replace('T', ' ')}`}</span>
              {d.revoked_at === null && <button type="button" className="danger" onClick={() => void act(() => api.revokeDevice(d.id), `Revoked ${d.name}`)}>Revoke</button>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
