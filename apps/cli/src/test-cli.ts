import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';

export const ALEPH_BIN = fileURLToPath(new URL('../bin/aleph.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A fresh ALEPH_HOME for each test of the calling file, and a way to run the real `aleph` binary
 * in it. `home()` is the directory of the running test.
 */
export function useAlephHome(): { home: () => string; aleph: (args: readonly string[], input?: string) => CliRun } {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aleph-cli-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    home: () => dir,
    aleph: (args, input) => {
      const r = spawnSync(process.execPath, [ALEPH_BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, ALEPH_HOME: dir, NO_COLOR: '1' } });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
  };
}
