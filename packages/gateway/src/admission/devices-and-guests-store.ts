/**
 * Who may talk to the gateway besides the owner's own socket: paired devices, guests and their
 * invitations, and the secret bearer tokens are signed with. SQLite (`data/identity.db`, 0600), so
 * that tokens survive a restart and a revocation is immediate and lasting. Invitation tokens are
 * stored only as their SHA-256: the database never holds a usable invitation.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { isExpiredAt, type SubjectState } from '@aleph/identity';
import { fail, ok, type Result } from '@aleph/protocol';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
  CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, public_key BLOB NOT NULL, fingerprint TEXT NOT NULL,
    role TEXT NOT NULL, created_at INTEGER NOT NULL, last_seen_at INTEGER, revoked_at INTEGER, generation INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS guests (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, allowed_tools TEXT NOT NULL, expires_at INTEGER, created_at INTEGER NOT NULL,
    revoked_at INTEGER, generation INTEGER NOT NULL, public_key BLOB, fingerprint TEXT
  );
  CREATE TABLE IF NOT EXISTS invitations (
    token_hash BLOB PRIMARY KEY, guest_id TEXT NOT NULL REFERENCES guests(id), accept_by INTEGER NOT NULL, used_at INTEGER
  );
  CREATE TABLE IF NOT EXISTS chat_senders (
    channel TEXT NOT NULL, sender TEXT NOT NULL, name TEXT NOT NULL, paired_at INTEGER NOT NULL, PRIMARY KEY (channel, sender)
  );
`;

/** How long a guest invitation may wait to be accepted. */
export const INVITATION_TTL_MS = 15 * 60_000;

export interface DeviceRecord {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly public_key: Buffer;
  readonly fingerprint: string;
  readonly role: 'owner' | 'guest';
  readonly created_at: number;
  readonly last_seen_at: number | null;
  readonly revoked_at: number | null;
  readonly generation: number;
}

export interface GuestRecord {
  readonly id: string;
  readonly name: string;
  readonly allowed_tools: readonly string[];
  readonly expires_at: number | null;
  readonly created_at: number;
  readonly revoked_at: number | null;
  readonly generation: number;
  /** The key the guest accepted its invitation with; null until then. */
  readonly public_key: Buffer | null;
  readonly fingerprint: string | null;
}

const hashOf = (token: string): Buffer => createHash('sha256').update(token).digest();

export class IdentityStore {
  private constructor(
    private readonly db: Database.Database,
    readonly tokenSecret: Buffer,
  ) {}

  /** Opens (creating 0600 in a 0700 directory) the store; the token secret is made once and kept. */
  static open(file: string): IdentityStore {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      closeSync(openSync(file, 'a', 0o600));
    }
    chmodSync(file, 0o600);
    const db = new Database(file, { timeout: 5000 });
    try {
      db.pragma('journal_mode = WAL');
      db.exec(SCHEMA);
      db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('token_secret', randomBytes(32));
      const secret = (db.prepare('SELECT value FROM meta WHERE key = ?').get('token_secret') as { value: Buffer }).value;
      return new IdentityStore(db, secret);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }

  /** Runs `change` in one transaction: if it throws, nothing it did to the store is kept. */
  atomically<T>(change: () => T): T {
    return this.db.transaction(change)();
  }

  addDevice(device: Omit<DeviceRecord, 'id' | 'last_seen_at' | 'revoked_at' | 'generation'>): DeviceRecord {
    const record: DeviceRecord = { ...device, id: `dev_${randomBytes(8).toString('hex')}`, last_seen_at: null, revoked_at: null, generation: 1 };
    this.db
      .prepare(
        'INSERT INTO devices (id, name, type, public_key, fingerprint, role, created_at, last_seen_at, revoked_at, generation) VALUES (@id, @name, @type, @public_key, @fingerprint, @role, @created_at, @last_seen_at, @revoked_at, @generation)',
      )
      .run(record);
    return record;
  }

  devices(): DeviceRecord[] {
    return this.db.prepare('SELECT * FROM devices ORDER BY created_at').all() as DeviceRecord[];
  }

  device(id: string): DeviceRecord | null {
    return (this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as DeviceRecord | undefined) ?? null;
  }

  /** Revokes a device: every token it holds dies at once, and it cannot get another. */
  revokeDevice(id: string, now: number): Result<DeviceRecord> {
    const changed = this.db.prepare('UPDATE devices SET revoked_at = ?, generation = generation + 1 WHERE id = ? AND revoked_at IS NULL').run(now, id).changes;
    const device = this.device(id);
    if (device === null) return fail('unknown_device', `No device has the id ${id}.`);
    if (changed === 0) return fail('already_revoked', `Device ${id} (${device.name}) was already revoked.`);
    return ok(device);
  }

  /** Moves a device to a new token generation: its old tokens die; the caller issues the new one. */
  rotateDevice(id: string): Result<DeviceRecord> {
    const changed = this.db.prepare('UPDATE devices SET generation = generation + 1 WHERE id = ? AND revoked_at IS NULL').run(id).changes;
    const device = this.device(id);
    if (device === null) return fail('unknown_device', `No device has the id ${id}.`);
    if (changed === 0) return fail('revoked', `Device ${id} (${device.name}) is revoked; pair it again instead.`);
    return ok(device);
  }

  touchDevice(id: string, now: number): void {
    this.db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?').run(now, id);
  }

  /** Creates a guest and a one-time invitation token (returned once, stored only as its hash). */
  invite(name: string, tools: readonly string[], expiresAt: number | null, now: number): { guest: GuestRecord; invitation: string } {
    const guest: GuestRecord = {
      id: `gst_${randomBytes(8).toString('hex')}`,
      name,
      allowed_tools: [...tools],
      expires_at: expiresAt,
      created_at: now,
      revoked_at: null,
      generation: 1,
      public_key: null,
      fingerprint: null,
    };
    const invitation = `inv_${randomBytes(24).toString('base64url')}`;
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO guests (id, name, allowed_tools, expires_at, created_at, revoked_at, generation) VALUES (?, ?, ?, ?, ?, NULL, 1)')
        .run(guest.id, name, JSON.stringify(guest.allowed_tools), expiresAt, now);
      this.db
        .prepare('INSERT INTO invitations (token_hash, guest_id, accept_by, used_at) VALUES (?, ?, ?, NULL)')
        .run(hashOf(invitation), guest.id, now + INVITATION_TTL_MS);
    })();
    return { guest, invitation };
  }

  /**
   * Accepts an invitation: once, within its 15 minutes, for a guest neither revoked nor expired.
   * The guest's key is bound to it from then on.
   */
  accept(invitation: string, key: { public_key: Buffer; fingerprint: string }, now: number): Result<GuestRecord> {
    return this.db.transaction((): Result<GuestRecord> => {
      const row = this.db.prepare('SELECT guest_id, accept_by, used_at FROM invitations WHERE token_hash = ?').get(hashOf(invitation)) as
        { guest_id: string; accept_by: number; used_at: number | null } | undefined;
      if (row === undefined) return fail('unknown_invitation', 'That invitation is not known to this gateway.');
      if (row.used_at !== null) return fail('invitation_used', 'That invitation was already accepted.');
      if (isExpiredAt(row.accept_by, now)) return fail('invitation_expired', 'That invitation was not accepted within 15 minutes; ask for a new one.');
      const guest = this.guest(row.guest_id);
      if (guest === null || guest.revoked_at !== null) return fail('revoked', 'That guest was revoked.');
      if (isExpiredAt(guest.expires_at, now)) return fail('scope_expired', "That guest's access has already ended.");
      this.db.prepare('UPDATE invitations SET used_at = ? WHERE token_hash = ?').run(now, hashOf(invitation));
      this.db.prepare('UPDATE guests SET public_key = ?, fingerprint = ? WHERE id = ?').run(key.public_key, key.fingerprint, guest.id);
      return ok({ ...guest, ...key });
    })();
  }

  guests(): GuestRecord[] {
    return (this.db.prepare('SELECT * FROM guests ORDER BY created_at').all() as (Omit<GuestRecord, 'allowed_tools'> & { allowed_tools: string })[]).map(
      toGuest,
    );
  }

  guest(id: string): GuestRecord | null {
    const row = this.db.prepare('SELECT * FROM guests WHERE id = ?').get(id) as (Omit<GuestRecord, 'allowed_tools'> & { allowed_tools: string }) | undefined;
    return row === undefined ? null : toGuest(row);
  }

  /** Revokes a guest: its tokens die at once, and its open invitation can no longer be accepted. */
  revokeGuest(id: string, now: number): Result<GuestRecord> {
    const changed = this.db.prepare('UPDATE guests SET revoked_at = ?, generation = generation + 1 WHERE id = ? AND revoked_at IS NULL').run(now, id).changes;
    const guest = this.guest(id);
    if (guest === null) return fail('unknown_guest', `No guest has the id ${id}.`);
    if (changed === 0) return fail('already_revoked', `Guest ${id} (${guest.name}) was already revoked.`);
    return ok(guest);
  }

  /** Remembers a chat sender the owner approved. */
  addChatSender(channel: string, sender: string, name: string, now: number): void {
    this.db.prepare('INSERT OR REPLACE INTO chat_senders (channel, sender, name, paired_at) VALUES (?, ?, ?, ?)').run(channel, sender, name, now);
  }

  isChatSenderPaired(channel: string, sender: string): boolean {
    return this.db.prepare('SELECT 1 FROM chat_senders WHERE channel = ? AND sender = ?').get(channel, sender) !== undefined;
  }

  /** A token's subject: the device or guest with that id. */
  subjectRecord(id: string): DeviceRecord | GuestRecord | null {
    return id.startsWith('gst_') ? this.guest(id) : this.device(id);
  }

  /** A token subject's state now (device or guest), for token verification. */
  subject(id: string): SubjectState | null {
    const record = this.subjectRecord(id);
    return record === null ? null : { revoked: record.revoked_at !== null, generation: record.generation };
  }
}

function toGuest(row: Omit<GuestRecord, 'allowed_tools'> & { allowed_tools: string }): GuestRecord {
  return { ...row, allowed_tools: JSON.parse(row.allowed_tools) as string[] };
}
