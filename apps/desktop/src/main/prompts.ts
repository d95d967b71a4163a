/**
 * How the desktop app asks a person about each pending approval, away from the console window:
 * a native notification with Allow Once / Allow Always / Deny where the platform gives
 * notifications buttons (macOS, Windows), else (Linux, or by choice) a small always-on-top prompt
 * window that does not take the focus. A prompt closes when its request is answered anywhere.
 * At most MAX_PROMPTS show at once, each in its own slot (a window's place on screen); the rest
 * wait their turn, oldest first, and take the slot of the next one answered.
 * While any prompt shows, two global shortcuts answer the oldest one; when none shows, they are
 * released. The logic is here, over a `PromptSurface`; Electron is only the surface.
 */
import { visibleText, type Decision, type GatewayEvent, type PendingApproval } from '@aleph/protocol';

export type PromptStyle = 'notification' | 'window';
/** `auto`: notifications where they carry buttons, else the prompt window. */
export type PromptPreference = 'auto' | PromptStyle;
export const PROMPT_PREFERENCES: readonly PromptPreference[] = ['auto', 'notification', 'window'];

/** Prompts on screen at once; a burst of requests must not bury the screen. */
export const MAX_PROMPTS = 3;

/** Answers the oldest prompt while one shows. */
export const PROMPT_SHORTCUTS = { allow: 'CommandOrControl+Alt+Y', deny: 'CommandOrControl+Alt+N' } as const;

/** Notification buttons exist on macOS and Windows; Linux notification servers drop them. */
export function promptStyle(platform: NodeJS.Platform, preference: PromptPreference): PromptStyle {
  if (preference !== 'auto') return preference;
  return platform === 'darwin' || platform === 'win32' ? 'notification' : 'window';
}

export interface PromptAction {
  readonly label: string;
  readonly decision: Decision;
}

/** The answers a prompt offers: Allow Always only where there is something to remember. */
export function promptActions(approval: PendingApproval): PromptAction[] {
  const always = approval.suggested_rule !== null || approval.tool !== undefined;
  return [
    { label: 'Allow Once', decision: 'allow-once' },
    ...(always ? [{ label: 'Allow Always', decision: 'allow-always' } as const] : []),
    { label: 'Deny', decision: 'deny' },
  ];
}

/** A notification's title and body: the risk and the agent, then the command itself. */
export function promptText(approval: PendingApproval): { title: string; body: string } {
  const { level, score } = approval.risk;
  const what = approval.tool !== undefined ? `run ${approval.tool.name}` : 'run a command';
  const reason = approval.risk.reasons[0]?.message;
  return {
    title: `${visibleText(approval.request.agent_id)} wants to ${what} (${level} risk, ${score})`,
    body: `${visibleText(approval.request.command)}${reason === undefined ? '' : `\n${visibleText(reason)}`}`,
  };
}

/** One prompt on screen; `close` takes it away. */
export interface PromptHandle {
  close(): void;
}

/**
 * Where the app's own answer came from. A prompt window answers through the console's connection
 * instead, and is audited as the console's.
 */
export type PromptChannel = 'notification' | 'shortcut';

/** One prompt to show, and what to tell when the person acts on it. */
export interface PromptRequest {
  readonly approval: PendingApproval;
  readonly style: PromptStyle;
  readonly actions: readonly PromptAction[];
  /** 0 to MAX_PROMPTS - 1, free until this prompt closes: where a window goes on screen. */
  readonly slot: number;
  /** The person chose one of the actions. */
  answer(decision: Decision): void;
  /** The person closed it without answering: the request still waits, in the console and the tray. */
  dismissed(): void;
}

/** What shows prompts: Electron in the app, a recorder in tests. */
export interface PromptSurface {
  show(prompt: PromptRequest): PromptHandle;
  /** Registers the allow/deny shortcuts (true) or releases them (false). */
  shortcuts(active: boolean): void;
}

export class Prompts {
  /** Oldest first: the shortcuts answer the first. */
  private readonly open = new Map<string, { handle: PromptHandle; slot: number }>();
  /** Pending approvals waiting for a free slot, oldest first. */
  private queue: PendingApproval[] = [];

  constructor(
    private readonly surface: PromptSurface,
    private style: PromptStyle,
    /** Tells the gateway; `channel` (the notification, or a global shortcut) goes to the audit log. */
    private readonly answer: (id: string, decision: Decision, channel: PromptChannel) => void,
  ) {}

  /** Shows what waits now (at start, or after the style changed). */
  sync(pending: readonly PendingApproval[]): void {
    this.queue = this.queue.filter((q) => pending.some((a) => a.id === q.id));
    for (const id of [...this.open.keys()]) if (!pending.some((a) => a.id === id)) this.close(id);
    for (const approval of pending) this.show(approval);
  }

  apply(event: GatewayEvent): void {
    if (event.type === 'approval_pending') this.show(event.approval);
    else if (event.type === 'approval_resolved') this.close(event.id);
  }

  /** Prompts from now on take this style; those showing are shown again in it. */
  restyle(style: PromptStyle, pending: readonly PendingApproval[]): void {
    if (style === this.style) return;
    this.style = style;
    this.queue = [];
    for (const id of [...this.open.keys()]) this.close(id);
    this.sync(pending);
  }

  /** A global shortcut: answers the oldest prompt showing. */
  shortcut(decision: 'allow-once' | 'deny'): void {
    const first = this.open.keys().next();
    if (first.done !== true) this.decide(first.value, decision, 'shortcut');
  }

  /** The ids with a prompt showing, oldest first. */
  get showing(): string[] {
    return [...this.open.keys()];
  }

  /** The ids waiting for a free slot, oldest first. */
  get queued(): string[] {
    return this.queue.map((a) => a.id);
  }

  closeAll(): void {
    this.queue = [];
    for (const id of [...this.open.keys()]) this.close(id);
  }

  private show(approval: PendingApproval): void {
    if (this.open.has(approval.id) || this.queue.some((q) => q.id === approval.id)) return;
    const used = new Set([...this.open.values()].map((o) => o.slot));
    const slot = [...Array(MAX_PROMPTS).keys()].find((s) => !used.has(s));
    if (slot === undefined) {
      this.queue.push(approval);
      return;
    }
    const handle = this.surface.show({
      approval, style: this.style, actions: promptActions(approval), slot,
      answer: (decision) => this.decide(approval.id, decision, 'notification'),
      dismissed: () => this.close(approval.id),
    });
    this.open.set(approval.id, { handle, slot });
    if (this.open.size === 1) this.surface.shortcuts(true);
  }

  /** The person answered here: the prompt goes at once, and the gateway is told. */
  private decide(id: string, decision: Decision, channel: PromptChannel): void {
    if (!this.open.has(id)) return;
    this.close(id);
    this.answer(id, decision, channel);
  }

  /** Takes a prompt away (or out of the queue); the next one waiting takes its slot. */
  private close(id: string): void {
    this.queue = this.queue.filter((q) => q.id !== id);
    const shown = this.open.get(id);
    if (shown === undefined) return;
    this.open.delete(id);
    shown.handle.close();
    const next = this.queue.shift();
    if (next !== undefined) this.show(next);
    if (this.open.size === 0) this.surface.shortcuts(false);
  }
}
