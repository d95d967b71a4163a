import type { PairingView, PendingApproval } from '@aleph/protocol';
import { describe, expect, it } from 'vitest';
import { trayChanges, trayMenu, trayTitle, trayView } from './tray.js';

const approval = (id: string, command: string): PendingApproval => ({
  id,
  request: { command, cwd: '/w', agent_id: 'a', session_key: 's' },
  verdict: 'confirm',
  risk: { level: 'medium', score: 40, reasons: [] },
  segments: [],
  suggested_rule: null,
  created_at: '2026-01-01T00:00:00.000Z',
  expires_at: '2026-01-01T00:02:00.000Z',
});
const pairing = (code: string, approved = false): PairingView => ({
  code,
  kind: 'device',
  name: 'laptop',
  type: 'cli',
  fingerprint: 'ab:cd',
  peer: '127.0.0.1',
  created_at: '',
  expires_at: '',
  expires_in_ms: 1000,
  approved,
});

describe('the tray menu', () => {
  it('says all is calm, offers the console, the mode and Quit', () => {
    const menu = trayMenu({ approvals: [], pairings: [], mode: 'safe', prompts: 'window' });
    expect(menu.map((i) => ('label' in i ? i.label : '—'))).toEqual([
      'Nothing waiting',
      '—',
      'Open Console',
      'Mode: safe',
      'Ask me with',
      '—',
      'Quit Aleph Console',
    ]);
    const [mode, prompts] = menu.filter((i) => i.type === 'submenu');
    expect(mode?.type === 'submenu' && mode.items.map((i) => (i.type === 'action' ? [i.label, i.checked] : null))).toEqual([
      ['safe', true],
      ['dev', false],
      ['unrestricted', false],
    ]);
    expect(prompts?.type === 'submenu' && prompts.items.map((i) => (i.type === 'action' ? [i.action, i.checked] : null))).toEqual([
      [{ kind: 'set_prompts', prompts: 'auto' }, false],
      [{ kind: 'set_prompts', prompts: 'notification' }, false],
      [{ kind: 'set_prompts', prompts: 'window' }, true],
    ]);
    expect(trayTitle({ approvals: [], pairings: [], mode: 'safe', prompts: 'auto' })).toBe('');
  });

  it('lists pairing codes waiting for approval, each with Approve and Reject, then pending commands', () => {
    const state = {
      approvals: [approval('a1', `cp ${'x'.repeat(100)}`)],
      pairings: [pairing('ABCD2345'), pairing('ZZZZ2345', true)],
      mode: 'dev' as const,
      prompts: 'auto' as const,
    };
    const menu = trayMenu(state);
    expect(menu[0]).toEqual({ type: 'label', label: 'Pairing codes' });
    expect(menu[1]).toEqual({
      type: 'submenu',
      label: 'ABCD2345  laptop (cli)',
      items: [
        { type: 'action', label: 'Approve', action: { kind: 'approve_pairing', code: 'ABCD2345' } },
        { type: 'action', label: 'Reject', action: { kind: 'reject_pairing', code: 'ABCD2345' } },
      ],
    });
    expect(menu.filter((i) => i.type === 'submenu' && i.label.startsWith('ZZZZ'))).toEqual([]);
    const command = menu.find((i) => i.type === 'action' && i.action.kind === 'show_approval');
    expect(command).toMatchObject({ action: { id: 'a1' } });
    expect(command?.type === 'action' && command.label.length).toBeLessThanOrEqual('medium: '.length + 60);
    expect(trayTitle(state)).toBe('2');
  });
});

describe('the tray as shown', () => {
  const state = { approvals: [approval('a1', 'cp a b')], pairings: [pairing('ABCD2345')], mode: 'safe' as const, prompts: 'auto' as const };

  it('shows the count once: as the title beside a template icon on macOS, drawn on the icon elsewhere', () => {
    expect(trayView(state, 'darwin')).toMatchObject({ badge: 0, template: true, title: '2', tooltip: 'Aleph Console: 1 waiting' });
    expect(trayView(state, 'linux')).toMatchObject({ badge: 2, template: false, title: '' });
    expect(trayView(state, 'win32')).toMatchObject({ badge: 2, template: false, title: '' });
  });

  it('is set again only where it changed: the same state rebuilds nothing, so an open menu stays open', () => {
    const first = trayView(state, 'linux');
    expect(trayChanges(null, first)).toEqual({ image: true, title: true, tooltip: true, menu: true });
    expect(trayChanges(first, trayView(state, 'linux'))).toEqual({ image: false, title: false, tooltip: false, menu: false });
    const fewer = trayView({ ...state, pairings: [] }, 'linux');
    expect(trayChanges(first, fewer)).toEqual({ image: true, title: false, tooltip: false, menu: true });
  });

  it('puts what the person should know first', () => {
    const menu = trayMenu({ ...state, notices: ['The shortcut CommandOrControl+Alt+N could not be registered'] });
    expect(menu.slice(0, 2)).toEqual([{ type: 'label', label: 'The shortcut CommandOrControl+Alt+N could not be registered' }, { type: 'separator' }]);
  });
});
