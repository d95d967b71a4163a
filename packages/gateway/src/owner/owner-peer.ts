/** The owner as a peer of this process: the desktop app's prompts and notifications answer as one. */
import { identityContext } from '@aleph/identity';
import type { Peer } from '../transport/peer.js';

/** The owner answering on `channel`, in this process: nobody to notify, nothing pending or running. */
export function ownerPeer(channel: string): Peer {
  return {
    identity: identityContext({
      request_id: '',
      session_key: channel,
      role: 'owner',
      identity_id: 'owner',
      scope: null,
      created_at: Date.now(),
      source_channel: channel,
    }),
    address: channel,
    subscribed: false,
    closed: false,
    pending: new Set(),
    running: new Map(),
    notify: () => undefined,
    settled: () => undefined,
  };
}
