import { useEffect, useState } from 'react';
import { visibleText } from '@aleph/protocol';
import { useConsole } from './store';
import { clip } from './text';

/** How much of a notice shows until "Show all": a sentence and the start of a command. */
const NOTICE_CHARS = 200;

/**
 * The passing notice. What it quotes (a command, a rule, a name) is shown as it is, hidden
 * characters made visible; a long one is cut short until the person asks for all of it.
 */
export function Notice() {
  // A notice belongs to the screen it came from: another screen does not show it.
  const notice = useConsole((s) => (s.notice?.view === s.view ? s.notice : null));
  const [whole, setWhole] = useState(false);
  useEffect(() => setWhole(false), [notice]);
  // A notice passes; an error stays a little longer, to be read; one opened in full stays until closed.
  useEffect(() => {
    if (notice === null || whole) return;
    const passing = setTimeout(() => useConsole.setState({ notice: null }), notice.tone === 'error' ? 12_000 : 5_000);
    return () => clearTimeout(passing);
  }, [notice, whole]);
  if (notice === null) return null;
  const text = visibleText(notice.text);
  const cut = clip(text, NOTICE_CHARS);
  return (
    <p className={`banner ${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
      {whole ? text : cut}
      {cut !== text && (
        <button type="button" className="more" aria-expanded={whole} onClick={() => setWhole(!whole)}>
          {whole ? 'Show less' : `Show all ${Array.from(text).length} characters`}
        </button>
      )}
    </p>
  );
}
