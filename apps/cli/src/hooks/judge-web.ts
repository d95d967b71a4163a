/**
 * Web tools judged by domain: a fetch of a granted domain (`web.allow_domains` in hooks.json) is
 * allowed, anything else is put to a person. A search is allowed only when the agent limits it to
 * granted domains. A URL that is not http(s) is refused.
 */
import { ask, allow, deny, type Verdict } from './verdict.js';

/** Whether `host` is granted: listed, or below a listed `*.domain` (which also grants the domain itself). */
export function granted(host: string, domains: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return domains.some((d) => (d.startsWith('*.') ? name === d.slice(2) || name.endsWith(d.slice(1)) : name === d));
}

export function judgeFetch(tool: string, url: unknown, domains: readonly string[]): Verdict {
  if (typeof url !== 'string') return deny(`Aleph: the ${tool} call names no URL, so it cannot vouch for it.`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return deny(`Aleph: ${tool} ${url}: not a URL it can read.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return deny(`Aleph: ${tool} ${url}: only http and https are vouched for.`);
  if (granted(parsed.hostname, domains)) return allow(`Aleph: ${tool} of ${parsed.hostname}, a granted domain.`);
  return ask(`Aleph: ${tool} ${url}: ${parsed.hostname} is not a granted domain (web.allow_domains in $ALEPH_HOME/hooks.json).`);
}

export function judgeSearch(tool: string, query: unknown, allowedDomains: unknown, domains: readonly string[]): Verdict {
  const limited = Array.isArray(allowedDomains) && allowedDomains.length > 0 && allowedDomains.every((d) => typeof d === 'string' && granted(d, domains));
  if (limited) return allow(`Aleph: ${tool} limited to granted domains.`);
  return ask(
    `Aleph: ${tool} ${typeof query === 'string' ? JSON.stringify(query) : ''}: not limited to granted domains (web.allow_domains in $ALEPH_HOME/hooks.json).`,
  );
}
