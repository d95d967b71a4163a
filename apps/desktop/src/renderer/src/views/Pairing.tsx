import { useEffect, useState, type FormEvent } from 'react';
import { formatPairingCode, visibleText, type ConsoleApi, type GuestInvitation, type GuestView, type PairingView } from '@aleph/protocol';
import { localTime, timeLeft, useAct, useConsole } from '../store';

/** How long a guest's access lasts. */
const ACCESS: readonly { readonly label: string; readonly ms?: number }[] = [
  { label: '1 day', ms: 86_400_000 },
  { label: '7 days', ms: 7 * 86_400_000 },
  { label: '30 days', ms: 30 * 86_400_000 },
  { label: 'until revoked' },
];

function guestState(g: GuestView): string {
  if (g.revoked_at !== null) return `revoked ${localTime(g.revoked_at)}`;
  if (g.expires_at !== null && Date.parse(g.expires_at) <= Date.now()) return `expired ${localTime(g.expires_at)}`;
  return g.fingerprint === null ? 'invited, not yet accepted' : `key ${g.fingerprint}`;
}

/** Guests: invite one to a few tools for a while, see who accepted, revoke. */
function Guests({ api }: { api: ConsoleApi }) {
  const { pairingVersion, tell } = useConsole();
  const [guests, setGuests] = useState<readonly GuestView[]>([]);
  const [name, setName] = useState('');
  const [tools, setTools] = useState('');
  const [access, setAccess] = useState(1);
  const [invited, setInvited] = useState<GuestInvitation | null>(null);
  const refresh = async () => setGuests(await api.guests());
  const act = useAct(refresh);
  useEffect(() => {
    void refresh().catch((e: Error) => tell(e.message, 'error'));
  }, [pairingVersion]);
  const invite = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const made = await api.inviteGuest(
        name.trim(),
        tools
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== ''),
        ACCESS[access]!.ms,
      );
      setInvited(made);
      setName('');
      setTools('');
      tell(`Invited ${made.guest.name}: give them the invitation below`);
      await refresh();
    } catch (error) {
      tell((error as Error).message, 'error');
    }
  };
  return (
    <>
      <h2>Guests</h2>
      <form className="card invite" aria-label="invite a guest" onSubmit={(e) => void invite(e)}>
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
        </label>
        <label className="grow">
          Tools (comma-separated, * for all){' '}
          <input value={tools} onChange={(e) => setTools(e.target.value)} required spellCheck={false} placeholder="web_search, read_file" />
        </label>
        <label>
          Access{' '}
          <select value={access} onChange={(e) => setAccess(Number(e.target.value))}>
            {ACCESS.map((a, i) => (
              <option key={a.label} value={i}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Invite
        </button>
      </form>
      {invited !== null && (
        <div className="card" role="status" aria-label="invitation">
          <p>
            The invitation for <strong>{visibleText(invited.guest.name)}</strong>, shown once. Their client accepts it (<code>guests.accept</code>) before{' '}
            {localTime(invited.accept_by)}.
          </p>
          <div className="invitation">
            <code>{invited.invitation}</code>
            <button type="button" onClick={() => void navigator.clipboard?.writeText(invited.invitation).then(() => tell('Copied the invitation'))}>
              Copy
            </button>
            <button type="button" onClick={() => setInvited(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {guests.length === 0 ? (
        <p className="muted">No guests. A guest uses only the tools you name, until their access ends.</p>
      ) : (
        <ul className="list">
          {guests.map((g) => (
            <li key={g.id} className="card row" aria-label={`guest ${visibleText(g.name)}`}>
              <span>{visibleText(g.name)}</span>
              <span className="mono">{visibleText(g.allowed_tools.join(', '))}</span>
              <span className="muted">{g.expires_at === null ? 'until revoked' : `until ${localTime(g.expires_at)}`}</span>
              <span className="muted">{guestState(g)}</span>
              {g.revoked_at === null && (
                <button type="button" className="danger" onClick={() => void act(() => api.revokeGuest(g.id), `Revoked ${g.name}`)}>
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** A code as typed, in either form (`NFLD-2D7C`, `nfld2d7c`), as the gateway compares it. */
const plainCode = (code: string): string => code.replace(/[\s-]/g, '').toUpperCase();

/** Approve by the code the device shows: typed in either form, it must be one that waits. */
function ApproveByCode({ waiting, approve }: { waiting: readonly PairingView[]; approve: (p: PairingView) => Promise<boolean> }) {
  const tell = useConsole((s) => s.tell);
  const [typed, setTyped] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const match = waiting.find((p) => plainCode(p.code) === plainCode(typed));
    if (match === undefined) {
      tell(`No device is asking to pair with code ${formatPairingCode(typed.trim())}: check the code the device shows.`, 'error');
      return;
    }
    if (await approve(match)) setTyped('');
  };
  return (
    <form className="row approve-code" aria-label="approve a code" onSubmit={(e) => void submit(e)}>
      <label>
        The code the device shows{' '}
        <input
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          placeholder="NFLD-2D7C"
          spellCheck={false}
          autoCapitalize="characters"
          required
          maxLength={16}
        />
      </label>
      <button type="submit">Approve this code</button>
    </form>
  );
}

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
  const act = useAct(refresh);
  const waiting = pairings.filter((p) => !p.approved);
  return (
    <section className="pairing">
      <h2>Pairing codes</h2>
      {waiting.length === 0 ? (
        <p className="muted">
          No device is asking to pair. On the device, run <code>aleph pairing request --name NAME</code>.
        </p>
      ) : (
        <ul className="list">
          {waiting.map((p) => (
            <li key={p.code} className="card row" aria-label={`pairing ${formatPairingCode(p.code)}`}>
              <span className="code">{formatPairingCode(p.code)}</span>
              <span>
                {visibleText(p.name)} <span className="muted">({visibleText(p.type)})</span>
              </span>
              {p.fingerprint !== null && <span className="muted mono">{p.fingerprint}</span>}
              <span className="countdown">{timeLeft(p.expires_at, now)} left</span>
              <button type="button" className="primary" onClick={() => void act(() => api.approvePairing(p.code), `Approved ${p.name}`)}>
                Approve
              </button>
              <button type="button" className="danger" onClick={() => void act(() => api.rejectPairing(p.code), `Rejected ${p.name}`)}>
                Reject
              </button>
            </li>
          ))}
        </ul>
      )}
      {waiting.length > 0 && <ApproveByCode waiting={waiting} approve={(p) => act(() => api.approvePairing(p.code), `Approved ${p.name}`)} />}
      <h2>Paired devices</h2>
      {devices.length === 0 ? (
        <p className="muted">No device is paired yet.</p>
      ) : (
        <ul className="list">
          {devices.map((d) => (
            <li key={d.id} className="card row" aria-label={`device ${visibleText(d.name)}`}>
              <span>
                {visibleText(d.name)}{' '}
                <span className="muted">
                  ({visibleText(d.type)}, {d.role})
                </span>
              </span>
              <span className="muted mono">{d.fingerprint}</span>
              <span className="muted">
                {d.revoked_at !== null ? `revoked ${localTime(d.revoked_at)}` : d.last_seen_at === null ? 'never seen' : `seen ${localTime(d.last_seen_at)}`}
              </span>
              {d.revoked_at === null && (
                <button type="button" className="danger" onClick={() => void act(() => api.revokeDevice(d.id), `Revoked ${d.name}`)}>
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <Guests api={api} />
    </section>
  );
}
