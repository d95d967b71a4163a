/**
 * When a foreground gateway stops: on SIGINT or SIGTERM; and, when it was started by a program it
 * must not outlive (`npm start`, an IDE's or a service manager's task), also when that program
 * goes, however it goes. A gateway run on purpose under `nohup` or `&` is not asked to: it keeps
 * running after its shell.
 */

export type StopReason = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'parent_exited';

/** How often the parent is looked for; each look is one system call. */
const PARENT_CHECK_MS = 250;

export interface StopWatch {
  /** The first reason to stop. */
  readonly stopped: Promise<StopReason>;
  /**
   * The gateway has stopped: its parent need not be watched any more. Signals go on being heard
   * until the process exits, so that a late copy of one cannot cut short what is left to write.
   */
  done(): void;
}

/**
 * Listens for the reasons to stop. Every signal is heard for as long as this listens, not only the
 * first: a Ctrl-C in a terminal reaches both npm and the gateway, and npm passes its own on too, so
 * the gateway gets SIGINT twice, and the second must not cut its clean stop short. With
 * `withParent`, the parent's going (the gateway is handed to another parent) and the terminal's
 * hang-up stop it too.
 */
export function whenToStop(withParent: boolean): StopWatch {
  let decide: (reason: StopReason) => void = () => undefined;
  const stopped = new Promise<StopReason>((resolve) => {
    decide = resolve;
  });
  const signals = withParent ? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const) : (['SIGINT', 'SIGTERM'] as const);
  for (const signal of signals) process.on(signal, () => decide(signal));
  let watch: NodeJS.Timeout | undefined;
  if (withParent) {
    const parent = process.ppid;
    watch = setInterval(() => {
      if (process.ppid !== parent) decide('parent_exited');
    }, PARENT_CHECK_MS);
    // The gateway's servers keep the process alive; this watch alone must not.
    watch.unref();
  }
  return { stopped, done: () => clearInterval(watch) };
}
