/**
 * When a foreground gateway stops: on SIGINT or SIGTERM; and, when it was started by a program it
 * must not outlive (`npm start`, an IDE's or a service manager's task), also when that program
 * goes, however it goes. A gateway run on purpose under `nohup` or `&` is not asked to: it keeps
 * running after its shell.
 */

import { readFileSync } from 'node:fs';

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
 * The parent this process had when it began: the command's entry point records it before any
 * module loads (`globalThis.alephEntryParent`), so that a parent that dies while the gateway
 * starts is still seen to have gone. Read here, it would already be the process's new parent.
 */
export function entryParent(): number {
  const recorded = (globalThis as { alephEntryParent?: unknown }).alephEntryParent;
  return typeof recorded === 'number' && Number.isInteger(recorded) ? recorded : process.ppid;
}

/** Whether a process runs; one that has ended and waits only to be reaped does not. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

export interface ParentOptions {
  /** The parent at entry (entryParent()): the process has been handed to another once its ppid differs. */
  readonly entry: number;
  /** A program named outright (`--parent-pid`) whose end stops the gateway too, whether or not it is the parent. */
  readonly pid?: number;
}

/**
 * Listens for the reasons to stop. Every signal is heard for as long as this listens, not only the
 * first: a Ctrl-C in a terminal reaches both npm and the gateway, and npm passes its own on too, so
 * the gateway gets SIGINT twice, and the second must not cut its clean stop short. With
 * `withParent`, the parent's going (the gateway is handed to another parent, or the named program
 * ends) and the terminal's hang-up stop it too, and so does a parent already gone when this is
 * called: one that died while the gateway started.
 */
export function whenToStop(withParent: boolean, parent: ParentOptions = { entry: entryParent() }): StopWatch {
  let decide: (reason: StopReason) => void = () => undefined;
  const stopped = new Promise<StopReason>((resolve) => {
    decide = resolve;
  });
  const signals = withParent ? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const) : (['SIGINT', 'SIGTERM'] as const);
  for (const signal of signals) process.on(signal, () => decide(signal));
  let watch: NodeJS.Timeout | undefined;
  if (withParent) {
    const gone = (): boolean => process.ppid !== parent.entry || (parent.pid !== undefined && !alive(parent.pid));
    if (gone()) decide('parent_exited');
    watch = setInterval(() => {
      if (gone()) decide('parent_exited');
    }, PARENT_CHECK_MS);
    // The gateway's servers keep the process alive; this watch alone must not.
    watch.unref();
  }
  return { stopped, done: () => clearInterval(watch) };
}
