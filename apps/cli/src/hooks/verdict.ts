/**
 * What a hook decided about one tool call, before it is written in an agent's dialect. Errors and
 * refusals are verdicts too: a hook that cannot decide says `deny`, never nothing.
 */
export type Decision = 'allow' | 'deny' | 'ask';

export interface Verdict {
  readonly decision: Decision;
  /** A sentence the agent (on deny) or the person (on allow and ask) is shown. */
  readonly reason: string;
  /**
   * The owner allowed it for good (or for a while, or this session) rather than once: where the
   * agent can remember a session rule of its own, it may be told to.
   */
  readonly always?: boolean;
  /** An allowed shell command's run ticket, as the gateway issued it (confine.ts turns it into updatedCommand). */
  readonly runTicket?: string;
  /** What the agent runs instead of the command it asked for: its confined run (confine.ts). */
  readonly updatedCommand?: string;
}

/** No opinion: the agent's own rules decide (the hook prints nothing). */
export const NO_OPINION = null;

export const allow = (reason: string, always = false): Verdict => (always ? { decision: 'allow', reason, always } : { decision: 'allow', reason });
export const deny = (reason: string): Verdict => ({ decision: 'deny', reason });
export const ask = (reason: string): Verdict => ({ decision: 'ask', reason });
