/**
 * How the desktop app asks a person about each pending approval, away from the console window:
 * a native notification with Allow Once / Allow Always / Deny where the platform gives
 * notifications buttons (macOS, Windows), else (Linux, or by choice) a small always-on-top prompt
 * window that does not take the focus. A notification that cannot be shown (macOS refuses an
 * unsigned app's), or that could not show the whole command, is a prompt window instead: a
 * prompt never vanishes, and nothing is allowed that was not shown whole. A prompt closes when its
 * request is answered anywhere.
 * At most MAX_PROMPTS show at once, each in its own slot (a window's place on screen); the rest
 * wait their turn, oldest first, and take the slot of the next one answered.
 * While any prompt shows, one global shortcut denies the oldest one; when none shows, it is
 * released. No shortcut allows: a key press can be forged by the agent being judged (xdotool,
 * SendInput, osascript), so allowing takes a click or a key in the prompt itself. The logic is
 * here, over a `PromptSurface`; Electron is only the surface.
 */
import { describeConfinement, visibleText, type Decision, type GatewayEvent, type PendingApproval } from '@aleph/protocol';

export type PromptStyle = 'notification' | 'window';
/** `auto`: notifications where they carry buttons, else the prompt window. */
export type PromptPreference = 'auto' | PromptStyle;
export const PROMPT_PREFERENCES: readonly PromptPreference[] = ['auto', 'notification', 'window'];

/** Prompts on screen at once; a burst of requests must not bury the screen. */
export const MAX_PROMPTS = 3;

/**
 * Denies the oldest prompt while one shows. There is deliberately no allow shortcut: any process
 * of the user's, the agent included, can synthesize a global key press.
 */
export const PROMPT_SHORTCUTS = { deny: 'CommandOrControl+Alt+N' } as const;

/** What the global shortcut does: deny, never allow. */
export const SHORTCUT_DECISION = 'deny' satisfies Decision;

/**
 * What of a notification's body every platform shows: macOS cuts it at 256 bytes. A command
 * longer than that is asked about in a prompt window, where it shows whole.
 */
export const NOTIFICATION_BODY_BYTES = 256;

/** Whether the command shows whole in a notification's body (it comes first there). */
export function fitsInNotification(approval: PendingApproval): boolean {
  return Buffer.byteLength(visibleText(approval.request.command), 'utf8') <= NOTIFICATION_BODY_BYTES;
}

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

/**
 * A notification's title and body: the risk and the agent, then the command itself, and how a
 * shell command runs once allowed from it (its suggested confinement: a notification's Allow
 * answers with the suggestion; another choice is the prompt window's or the console's).
 */
export function promptText(approval: PendingApproval): { title: string; body: string } {
  const { level, score } = approval.risk;
  const what = approval.tool !== undefined ? `run ${approval.tool.name}` : 'run a command';
  const reason = approval.risk.reasons[0]?.message;
  const runs = approval.suggested_confinement === undefined ? '' : `\nRuns ${visibleText(describeConfinement(approval.suggested_confinement))}`;
  return {
    title: `${visibleText(approval.request.agent_id)} wants to ${what} (${level} risk, ${score})`,
    body: `${visibleText(approval.request.command)}${reason === undefined ? '' : `\n${visibleText(reason)}`}${runs}`,
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
  /** A notification could not be shown: the same request is shown as a prompt window instead. */
  failed(reason: string): void;
}

/** What shows prompts: Electron in the app, a recorder in tests. */
export interface PromptSurface {
  show(prompt: PromptRequest): PromptHandle;
  /**
   * Registers the deny shortcut (true) or releases it (false); false back when it could not be
   * registered (another app holds it, or the desktop refused it).
   */
  shortcuts(active: boolean): boolean;
}

interface Shown {
  handle: PromptHandle;
  readonly slot: number;
  style: PromptStyle;
  /** This showing's own: a late event of a prompt replaced since (a failed notification's close) finds another. */
  token: object;
}

export class Prompts {
  /** Oldest first: the shortcut answers the first. */
  private readonly open = new Map<string, Shown>();
  /** Pending approvals waiting for a free slot, oldest first. */
  private queue: PendingApproval[] = [];
  private shortcutProblemSaid = false;
  private notificationProblemSaid = false;

  constructor(
    private readonly surface: PromptSurface,
    private style: PromptStyle,
    /** Tells the gateway; `channel` (the notification, or a global shortcut) goes to the audit log. */
    private readonly answer: (id: string, decision: Decision, channel: PromptChannel) => void,
    /** What the person should know and cannot see otherwise (a notification that failed, a shortcut not had). */
    private readonly notice: (text: string) => void = () => undefined,
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

  /** The global shortcut: denies the oldest prompt showing. It takes no decision: it can only deny. */
  shortcut(): void {
    const first = this.open.keys().next();
    if (first.done !== true) this.decide(first.value, SHORTCUT_DECISION, 'shortcut');
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
    // Allow is offered only for a command shown whole.
    const style = this.style === 'notification' && !fitsInNotification(approval) ? 'window' : this.style;
    this.open.set(approval.id, this.present(approval, slot, style));
    if (this.open.size === 1) this.holdShortcut(true);
  }

  private present(approval: PendingApproval, slot: number, style: PromptStyle): Shown {
    const token = {};
    const current = () => this.open.get(approval.id)?.token === token;
    let failedEarly: string | null = null;
    const shown: Shown = { handle: { close: () => undefined }, slot, style, token };
    shown.handle = this.surface.show({
      approval,
      style,
      actions: promptActions(approval),
      slot,
      answer: (decision) => {
        if (current()) this.decide(approval.id, decision, 'notification');
      },
      dismissed: () => {
        if (current()) this.close(approval.id);
      },
      failed: (reason) => {
        if (current()) this.fallBack(approval, reason);
        else if (this.open.get(approval.id) === undefined) failedEarly = reason;
      },
    });
    if (failedEarly !== null) {
      // Failed before show() returned: shown as a window at once.
      shown.handle.close();
      return this.present(approval, slot, 'window');
    }
    return shown;
  }

  /** A notification that failed: the same request, same slot, as a prompt window; said once. */
  private fallBack(approval: PendingApproval, reason: string): void {
    const shown = this.open.get(approval.id);
    if (shown === undefined || shown.style === 'window') return;
    shown.token = {};
    shown.handle.close();
    const replaced = this.present(approval, shown.slot, 'window');
    Object.assign(shown, replaced);
    if (this.notificationProblemSaid) return;
    this.notificationProblemSaid = true;
    this.notice(`A notification could not be shown (${reason}); such approvals are shown in a prompt window instead.`);
  }

  private holdShortcut(active: boolean): void {
    const held = this.surface.shortcuts(active);
    if (active && !held && !this.shortcutProblemSaid) {
      this.shortcutProblemSaid = true;
      this.notice(
        `The shortcut ${PROMPT_SHORTCUTS.deny} (deny the oldest prompt) could not be registered: another app holds it, or the desktop refused it. The prompts' own buttons still work.`,
      );
    }
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
    if (this.open.size === 0) this.holdShortcut(false);
  }
}
