import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fail, ok, type Result } from '@aleph/protocol';
import { parseUserPatterns, type UserPatterns } from '@aleph/policy';

/** `$ALEPH_HOME`, or `~/.aleph`. */
export function alephHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.ALEPH_HOME;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.aleph');
}

export function configPath(home: string): string {
  return join(home, 'exec-approvals.json');
}

export interface PolicySettings {
  readonly patterns: UserPatterns;
}

/**
 * The policy settings from exec-approvals.json. A missing file means defaults; a file that cannot
 * be read or parsed is an error naming the file and the problem (it is never rewritten here).
 */
export function readPolicySettings(home: string): Result<PolicySettings> {
  const file = configPath(home);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok({ patterns: { block: [], confirm: [], safe: [] } });
    return fail('config_unreadable', `Cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail('config_invalid', `${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('config_invalid', `${file} must hold a JSON object.`);
  const patterns = parseUserPatterns((json as Record<string, unknown>).policy);
  if (!patterns.ok) return fail('config_invalid', `${file}: ${patterns.error.message}`);
  return ok({ patterns: patterns.value });
}
