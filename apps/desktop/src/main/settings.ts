/**
 * The desktop app's own preferences, in `$ALEPH_HOME/desktop.json` (0600, written atomically):
 * how to ask (notifications, the prompt window, or whichever the platform does best). A file that
 * cannot be read leaves the defaults in force and is not written over until the person changes a
 * preference; the reason is returned so the app can say so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '@aleph/gateway';
import { PROMPT_PREFERENCES, type PromptPreference } from './prompts';

export interface DesktopSettings {
  readonly prompts: PromptPreference;
}

export const DEFAULT_SETTINGS: DesktopSettings = { prompts: 'auto' };

export const settingsFile = (home: string): string => join(home, 'desktop.json');

/** The settings, and why the file was not used when it was not. */
export function loadSettings(home: string): { settings: DesktopSettings; problem: string | null } {
  const file = settingsFile(home);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { settings: DEFAULT_SETTINGS, problem: missing ? null : `Cannot read ${file}: ${(error as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { settings: DEFAULT_SETTINGS, problem: `${file} is not valid JSON (${(error as Error).message}); using the defaults.` };
  }
  const prompts = (value as { prompts?: unknown } | null)?.prompts ?? DEFAULT_SETTINGS.prompts;
  if (!(PROMPT_PREFERENCES as readonly unknown[]).includes(prompts)) {
    return { settings: DEFAULT_SETTINGS, problem: `${file}: "prompts" must be one of ${PROMPT_PREFERENCES.join(', ')}; using the defaults.` };
  }
  return { settings: { prompts: prompts as PromptPreference }, problem: null };
}

export function saveSettings(home: string, settings: DesktopSettings): void {
  writePrivateFile(settingsFile(home), `${JSON.stringify(settings, null, 2)}\n`);
}
