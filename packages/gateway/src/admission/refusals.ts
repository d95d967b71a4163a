/**
 * Who a network peer is, for the limits that count by peer, and how many of the refusals it earns
 * the audit log records. Every loopback address is this one machine: a local process that binds
 * 127.0.0.2, 127.9.9.9, ::1 or ::ffff:127.0.0.1 is still the same peer as 127.0.0.1, so that it
 * cannot multiply its share of pairing requests or of recorded refusals by changing address.
 */
import { isIP } from 'node:net';

/** How every loopback address is named, in limits and in the audit log. */
export const LOOPBACK_PEER = 'loopback';

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The peer an address counts as: LOOPBACK_PEER for any loopback address, else the address itself. */
export function peerOf(address: string): string {
  return isLoopback(address) ? LOOPBACK_PEER : address;
}

/** How many refusals of one peer the audit log records a minute. */
export const RECORDED_REFUSALS_PER_MINUTE = 20;

/** How many refusals of all peers together the audit log records a minute. */
export const RECORDED_REFUSALS_IN_ALL_PER_MINUTE = 200;

/** What the last recorded refusal of a peer's minute says of the rest. */
export const UNRECORDED = ` (further refusals of this peer within the minute are not recorded)`;

/** What the last recorded refusal of the gateway's minute says of the rest. */
export const UNRECORDED_IN_ALL = ` (the gateway records at most ${RECORDED_REFUSALS_IN_ALL_PER_MINUTE} refusals a minute; further refusals of anyone within the minute are not recorded)`;

/** Whether to record a refusal: yes; yes, the last of its peer's minute, or of everyone's; or no. */
export type Charge = 'record' | 'last' | 'last_in_all' | 'skip';

/** The words a recorded refusal's reason ends with. */
export function unrecordedNote(charge: Charge): string {
  return charge === 'last' ? UNRECORDED : charge === 'last_in_all' ? UNRECORDED_IN_ALL : '';
}

interface Minute {
  start: number;
  count: number;
}

/**
 * Counts the refusals of each peer (failed proofs, calls it may not make), so that peers hammering
 * the gateway are still answered but cannot fill the audit log and the disk: of each peer's minute
 * the first RECORDED_REFUSALS_PER_MINUTE are recorded, and of everyone's together the first
 * RECORDED_REFUSALS_IN_ALL_PER_MINUTE (many addresses, a remote network's, say); the last recorded
 * one says so.
 */
export class RefusalBudget {
  private readonly minutes = new Map<string, Minute>();
  private all: Minute = { start: Number.NEGATIVE_INFINITY, count: 0 };
  private pruned = 0;

  constructor(
    private readonly perPeer = RECORDED_REFUSALS_PER_MINUTE,
    private readonly inAll = RECORDED_REFUSALS_IN_ALL_PER_MINUTE,
  ) {}

  charge(address: string, now: number): Charge {
    if (now - this.pruned >= 60_000) {
      for (const [a, m] of this.minutes) if (now - m.start >= 60_000) this.minutes.delete(a);
      this.pruned = now;
    }
    const peer = peerOf(address);
    let minute = this.minutes.get(peer);
    if (minute === undefined || now - minute.start >= 60_000) {
      minute = { start: now, count: 0 };
      this.minutes.set(peer, minute);
    }
    if (minute.count >= this.perPeer) return 'skip';
    if (now - this.all.start >= 60_000) this.all = { start: now, count: 0 };
    if (this.all.count >= this.inAll) return 'skip';
    minute.count++;
    this.all.count++;
    if (this.all.count === this.inAll) return 'last_in_all';
    return minute.count === this.perPeer ? 'last' : 'record';
  }
}
