/**
 * Trust stages per tool, keyed by the hash of its capability contract. Draft: the owner has not
 * approved the contract yet. Trial: approved; its first runs are confirmed one by one. Verified:
 * it runs without asking. A tool whose capabilities change is a new contract, back at Draft; an
 * escalation asks again at any stage. Pure: the caller keeps the records and the clock.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type Capabilities, type TrustStage } from '@aleph/protocol';

export { TRUST_STAGES, type TrustStage } from '@aleph/protocol';

/** Confirmed runs in Trial before a tool is Verified. */
export const TRIAL_RUNS = 3;

/**
 * A contract's identity: SHA-256 over the canonical JSON of its capabilities as declared
 * (`${WORKSPACE}` unsubstituted, so it holds wherever the tool runs) and its declared parameters.
 * Widening either makes a new contract.
 */
export function contractHash(capabilities: Capabilities, parameters: readonly string[] | undefined): string {
  return createHash('sha256').update(canonicalJson({ capabilities, parameters: parameters === undefined ? null : [...parameters].sort() })).digest('hex');
}

export interface TrustRecord {
  readonly tool: string;
  readonly contract_hash: string;
  readonly stage: TrustStage;
  /** Runs confirmed while in Trial. */
  readonly confirmed_runs: number;
  readonly approved_at: number | null;
  /** The hash of the contract approved before this one, when the capabilities changed. */
  readonly changed_from: string | null;
}

/** What a run needs before it may start. */
export type TrustGate =
  | { readonly action: 'approve_contract'; readonly stage: 'draft'; readonly reason: string }
  | { readonly action: 'confirm_run'; readonly stage: TrustStage; readonly reason: string }
  | { readonly action: 'run'; readonly stage: 'verified' };

/** The record a tool has under this hash: its own, or a fresh Draft when it is new or changed. */
export function trustFor(tool: string, hash: string, stored: TrustRecord | null): TrustRecord {
  if (stored !== null && stored.tool === tool && stored.contract_hash === hash) return stored;
  return { tool, contract_hash: hash, stage: 'draft', confirmed_runs: 0, approved_at: null, changed_from: stored !== null && stored.tool === tool ? stored.contract_hash : null };
}

export function trustGate(record: TrustRecord, escalations: readonly { message: string }[]): TrustGate {
  if (record.stage === 'draft') {
    return { action: 'approve_contract', stage: 'draft', reason: record.changed_from === null ? `${record.tool} has no approved capability contract.` : `${record.tool} changed its capabilities since they were approved.` };
  }
  if (escalations.length > 0) return { action: 'confirm_run', stage: record.stage, reason: escalations.map((e) => e.message).join(' ') };
  if (record.stage === 'trial') return { action: 'confirm_run', stage: 'trial', reason: `${record.tool} is on trial: run ${record.confirmed_runs + 1} of ${TRIAL_RUNS} is confirmed by hand.` };
  return { action: 'run', stage: 'verified' };
}

/** The owner approved the contract: on to Trial. */
export function approveContract(record: TrustRecord, now: number): TrustRecord {
  return { ...record, stage: 'trial', confirmed_runs: 0, approved_at: now };
}

/** A confirmed run in Trial counts; the last one makes the tool Verified. */
export function confirmRun(record: TrustRecord): TrustRecord {
  if (record.stage !== 'trial') return record;
  const runs = record.confirmed_runs + 1;
  return { ...record, confirmed_runs: runs, stage: runs >= TRIAL_RUNS ? 'verified' : 'trial' };
}

/**
 * The owner allowed a run that needed a person. "Allow Once" of a Draft approves the contract and
 * counts as Trial's first run; "Allow Always" approves it outright (Verified). In Trial, a run
 * allowed once counts; always verifies. A Verified tool's escalation allowed stays that one run.
 */
export function recordApproval(record: TrustRecord, decision: 'allow-once' | 'allow-always', now: number): TrustRecord {
  if (record.stage === 'verified') return record;
  const approved = record.stage === 'draft' ? approveContract(record, now) : record;
  return decision === 'allow-always' ? { ...approved, stage: 'verified' } : confirmRun(approved);
}
