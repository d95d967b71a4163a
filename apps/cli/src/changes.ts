/**
 * Changes the CLI makes itself, without a gateway, to the configuration file and the audit log:
 * by the gateway's own change code (changeWithoutGateway), so that a change the audit log cannot
 * record is taken back, as a running gateway takes it back.
 */
import { changeWithoutGateway, type PolicyChangeCall } from '@aleph/gateway';
import type { Result } from '@aleph/protocol';

/**
 * A change to modes or rules, made to the configuration file as the gateway makes it for the
 * console: applied, saved, then audited, or taken back. A file that is there but cannot be used is
 * refused, never replaced: it may hold an edit the person is in the middle of. A running gateway
 * adopts the file.
 */
export function changePolicy(home: string, call: PolicyChangeCall, create = true): Result<unknown> {
  return changeWithoutGateway(home, create, (live) => live.changePolicy(call, 'owner', Date.now()));
}
