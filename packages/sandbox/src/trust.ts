/**
 * Trust stages per tool, keyed by the hash of its contract: the program it runs and what it may
 * do. Draft: the owner has not approved the contract yet. Trial: approved; its first runs are
 * confirmed one by one. Verified: it runs without asking. A tool whose program or capabilities
 * change is a new contract, back at Draft; an escalation asks again at any stage. Pure: the caller
 * keeps the records and the clock, and says what the program is.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type Capabilities, type ToolProgram, type TrustStage } from '@aleph/protocol';

export { TRUST_STAGES, type ToolProgram, type TrustStage } from '@aleph/protocol';

/** Confirmed runs in Trial before a tool is Verified. */
export const TRIAL_RUNS = 3;

/**
 * A contract's identity: SHA-256 over the canonical JSON of the program it runs (the file argv[0]
 * resolves to, and that file's content), its capabilities as declared (`${WORKSPACE}`
 * unsubstituted, so it holds wherever the tool runs) and its declared parameters. Another
 * program, an edited one, or wider capabilities or parameters make a new contract.
 */
export function contractHash(capabilities: Capabilities, parameters: readonly string[] | undefined, program: ToolProgram): string {
  return createHash('sha256')
    .update(canonicalJson({ program, capabilities, parameters: parameters === undefined ? null : [...parameters].sort() }))
    .digest('hex');
}

export interface TrustRecord {
  readonly tool: string;
  readonly contract_hash: string;
  /** The program the contract runs; null in a record approved before contracts named it. */
  readonly program: ToolProgram | null;
  readonly stage: TrustStage;
  /** Runs confirmed while in Trial. */
  readonly confirmed_runs: number;
  readonly approved_at: number | null;
  /** The hash of the contract approved before this one, when the program or capabilities changed. */
  readonly changed_from: string | null;
}

/** What a run needs before it may start. */
export type TrustGate =
  | { readonly action: 'approve_contract'; readonly stage: 'draft'; readonly reason: string }
  | { readonly action: 'confirm_run'; readonly stage: TrustStage; readonly reason: string }
  | { readonly action: 'run'; readonly stage: 'verified' };

/** The record a tool has under this hash: its own, or a fresh Draft when it is new or changed. */
export function trustFor(tool: string, hash: string, program: ToolProgram, stored: TrustRecord | null): TrustRecord {
  if (stored !== null && stored.tool === tool && stored.contract_hash === hash) return stored;
  return {
    tool,
    contract_hash: hash,
    program,
    stage: 'draft',
    confirmed_runs: 0,
    approved_at: null,
    changed_from: stored !== null && stored.tool === tool ? stored.contract_hash : null,
  };
}

/**
 * What differs between the contract approved before (`approved`) and the one a run declares now,
 * in words for the owner: the program, the capabilities, or both.
 */
export function contractChange(approved: TrustRecord, capabilities: Capabilities, parameters: readonly string[] | undefined, program: ToolProgram): string {
  const tool = approved.tool;
  const before = approved.program;
  if (before === null) return `${tool}'s approved contract did not name the program it runs; it runs ${program.path} now.`;
  const widened = contractHash(capabilities, parameters, before) !== approved.contract_hash;
  const ran =
    before.path !== program.path
      ? `it was approved to run ${before.path} and runs ${program.path} now`
      : before.hash !== program.hash
        ? `${program.path} is not the file it was approved to run: its content changed`
        : null;
  if (ran === null) return `${tool} changed its capabilities since they were approved.`;
  return widened
    ? `${tool} changed its capabilities and its program since they were approved: ${ran}.`
    : `${tool} changed its program since it was approved: ${ran}.`;
}

/** What a run needs before it may start; `change` says how a Draft differs from the contract approved before. */
export function trustGate(record: TrustRecord, escalations: readonly { message: string }[], change?: string): TrustGate {
  if (record.stage === 'draft') {
    return {
      action: 'approve_contract',
      stage: 'draft',
      reason:
        record.changed_from === null
          ? `${record.tool} has no approved capability contract.`
          : (change ?? `${record.tool} changed its capabilities since they were approved.`),
    };
  }
  if (escalations.length > 0) return { action: 'confirm_run', stage: record.stage, reason: escalations.map((e) => e.message).join(' ') };
  if (record.stage === 'trial')
    return {
      action: 'confirm_run',
      stage: 'trial',
      reason: `${record.tool} is on trial: run ${record.confirmed_runs + 1} of ${TRIAL_RUNS} is confirmed by hand.`,
    };
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
