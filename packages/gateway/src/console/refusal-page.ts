/**
 * What the console's server answers when it will not serve the console (a used sign-in link, a
 * browser without a session, an address it does not serve): a small page in the console's own
 * colours and fonts that says what happened and what to do, for a person in a browser; the same
 * as JSON (`{"error": {"code", "message"}}`) for a program. The page loads nothing, runs no
 * script, and its one inline style is allowed by its hash alone.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Why the console is not served, and what the person can do about it. */
export interface Refusal {
  readonly status: number;
  /** Stable, for programs: `link_used`, `not_signed_in`, ... */
  readonly code: string;
  /** What happened, in a sentence. */
  readonly title: string;
  /** What to do now; a `command` is shown as one to type. */
  readonly todo: string;
  readonly command?: string;
}

/** The console's palette (the renderer's styles.css), light and dark. */
const STYLE = `:root{--bg:#f7f7f5;--panel:#fff;--text:#1d2125;--muted:#5d6670;--line:#dde1e5;--accent:#2f6fde;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:15px;color:var(--text);background:var(--bg)}
@media (prefers-color-scheme:dark){:root{--bg:#15181c;--panel:#1e2227;--text:#e6e8ea;--muted:#9aa4ae;--line:#30363d;--accent:#5b8ff0}}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center}
main{max-width:34rem;margin:24px;padding:24px 28px;background:var(--panel);border:1px solid var(--line);border-top:4px solid var(--accent);border-radius:8px}
h1{font-size:1.15rem;margin:0 0 12px}p{margin:8px 0;line-height:1.5}.muted{color:var(--muted);font-size:.85rem}
code{font-family:ui-monospace,'SF Mono',Menlo,Consolas,monospace;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:2px 6px}`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** The page's policy: nothing loads, nothing runs, only its own style applies. */
export const REFUSAL_PAGE_CSP = `default-src 'none'; style-src ${STYLE_HASH}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Whether the asker is a program that reads JSON (the API, or one that asks for JSON rather than a page). */
export function wantsJson(req: IncomingMessage, apiPath: string): boolean {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === apiPath || path.startsWith(`${apiPath}/`)) return true;
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export function refusalJson(refusal: Refusal): string {
  const message = `${refusal.title} ${refusal.todo}${refusal.command === undefined ? '' : ` ${refusal.command}`}`;
  return `${JSON.stringify({ error: { code: refusal.code, message } })}\n`;
}

export function refusalPage(refusal: Refusal): string {
  const command = refusal.command === undefined ? '' : `<p><code>${escapeHtml(refusal.command)}</code></p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Aleph Console: ${escapeHtml(refusal.title)}</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(refusal.title)}</h1><p>${escapeHtml(refusal.todo)}</p>${command}<p class="muted">Aleph Console · ${refusal.status}</p></main></body></html>
`;
}
