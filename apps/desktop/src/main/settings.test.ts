import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, loadSettings, saveSettings, settingsFile } from './settings.js';

let home: string;
beforeEach(() => {
  home = join(mkdtempSync(join(tmpdir(), 'alds-')), 'h');
});
afterEach(() => rmSync(join(home, '..'), { recursive: true, force: true }));

describe('desktop settings', () => {
  it('start from the defaults and keep what is saved, 0600', () => {
    expect(loadSettings(home)).toEqual({ settings: DEFAULT_SETTINGS, problem: null });
    saveSettings(home, { prompts: 'window' });
    expect(loadSettings(home)).toEqual({ settings: { prompts: 'window' }, problem: null });
    expect(statSync(settingsFile(home)).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  it('fall back to the defaults on a corrupt or wrong file, say why, and leave the file as it was', () => {
    saveSettings(home, DEFAULT_SETTINGS);
    for (const [text, problem] of [
      ['{ "prompts": ', /not valid JSON/],
      ['{ "prompts": "carrier pigeon" }', /"prompts" must be one of auto, notification, window/],
    ] as const) {
      writeFileSync(settingsFile(home), text);
      const loaded = loadSettings(home);
      expect(loaded.settings).toEqual(DEFAULT_SETTINGS);
      expect(loaded.problem).toMatch(problem);
      expect(readFileSync(settingsFile(home), 'utf8')).toBe(text);
    }
  });
});
