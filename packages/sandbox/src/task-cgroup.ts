/**
 * The pids cgroups that hold a run started by root to its task limit (the kernel does not apply
 * RLIMIT_NPROC to root): taken per run, reused once idle, removed when this process exits.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TaskCgroup {
  readonly dir: string;
  /** The file a task writes 0 to, to join. */
  readonly join: string;
  /** The file listing its tasks. */
  readonly procs: string;
  /** Its pids.max as last written. */
  readonly limit: number;
}

let runs = 0;
/** This process's cgroups not in use by a run; reused, and removed when the process exits. */
const idleCgroups: TaskCgroup[] = [];
const ownCgroups = new Set<string>();

/**
 * A pids cgroup for one run started by root (cgroup v1's pids hierarchy, or v2 where this
 * process's cgroup delegates the pids controller), limited to `limit` tasks. An idle one whose
 * last tasks are gone is reused: making and removing one per run would cost more than the run of
 * a short tool. Null when there is no pids controller to use.
 */
export function takeTaskCgroup(limit: number): TaskCgroup | null {
  for (let i = idleCgroups.length - 1; i >= 0; i--) {
    const cgroup = idleCgroups[i]!;
    try {
      if (readFileSync(cgroup.procs, 'utf8') !== '') continue;
      if (cgroup.limit !== limit) writeFileSync(join(cgroup.dir, 'pids.max'), String(limit));
      idleCgroups.splice(i, 1);
      return { ...cgroup, limit };
    } catch {
      idleCgroups.splice(i, 1);
    }
  }
  for (const base of cgroupBases()) {
    const dir = join(base, `aleph-run-${process.pid}-${++runs}`);
    try {
      mkdirSync(dir);
    } catch {
      continue;
    }
    if (ownCgroups.size === 0) {
      process.once('exit', removeOwnCgroups);
      removeOrphanCgroups(base);
    }
    ownCgroups.add(dir);
    try {
      writeFileSync(join(dir, 'pids.max'), String(limit));
      // In v1 a task joins through `tasks` alone, which spares the kernel a global
      // synchronisation that writing to `cgroup.procs` costs (milliseconds, on every run).
      const tasks = join(dir, 'tasks');
      return { dir, join: existsSync(tasks) ? tasks : join(dir, 'cgroup.procs'), procs: join(dir, 'cgroup.procs'), limit };
    } catch {
      // No limit can be set here; try the next hierarchy.
    }
  }
  return null;
}

export function releaseTaskCgroup(cgroup: TaskCgroup): void {
  idleCgroups.push(cgroup);
}

/** Those of runners that ended without removing theirs (killed by a signal): empty, so removable. */
function removeOrphanCgroups(base: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^aleph-run-(\d+)-\d+$/.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || alive(Number(pid))) continue;
    try {
      rmdirSync(join(base, name));
    } catch {
      // Still has tasks, or not ours to remove.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** At exit; the last run's tasks may take a moment to be freed, so a busy one is tried again briefly. */
function removeOwnCgroups(): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const dir of ownCgroups) {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        rmdirSync(dir);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EBUSY') break;
        Atomics.wait(pause, 0, 0, 2);
      }
    }
  }
}

function cgroupBases(): string[] {
  const bases = ['/sys/fs/cgroup/pids'];
  try {
    const line = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'));
    if (line !== undefined) {
      const own = join('/sys/fs/cgroup', line.slice(3));
      if (readFileSync(join(own, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('pids')) bases.push(own);
    }
  } catch {
    // No cgroup v2 here.
  }
  return bases;
}
