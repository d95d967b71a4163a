import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$ALEPH_HOME`, or `~/.aleph`. */
export function alephHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.ALEPH_HOME;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.aleph');
}
