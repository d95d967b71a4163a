import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import {
  AUDIT_EVENT_TYPES,
  RISK_LEVELS,
  parseDuration,
  parseWhen,
  type AuditEventType,
  type AuditRow,
  type ChainCheck,
  type RiskLevel,
  toJsonLine,
  visibleText,
} from '@aleph/protocol';
import { AuditError, AuditStore, CSV_HEADER, importJsonLines, search, toCsvLine, type SearchQuery } from '@aleph/audit';
import { flag, value, type ParsedArgs } from './args.js';
import { alephHome, auditFile, auditHeadFile } from '@aleph/gateway';
import { defineCommand, type Invocation, type Options } from './command.js';
import { EXIT, type Io } from './io.js';
import { styleFor, type Style } from './style.js';

export const AUDIT_HELP = `Usage: aleph audit <command> [options]

  search [QUERY] [--event E] [--decision D] [--risk L] [--session S] [--actor A] [--since T]
         [--until T] [--limit N] [--cursor C] [--json]
                 full-text search, newest first; E, D and L may repeat or be comma-separated;
                 A is who acted (an agent, owner, a device or guest id);
                 T is a date (2026-05-01, 2026-05-01T10:00:00Z) or a duration ago (15m, 7d)
  tail [-n N] [--follow] [--json]
                 the newest events; with --follow, new ones as they arrive
  verify [--json]
                 walks the hash chain and checks the log against its head: exit 0 when intact,
                 1 listing every problem (the first 20, and how many), 2 when the file is no
                 log at all; never creates a log, nor leaves files beside it
  export --format jsonl|csv [--output FILE] [--json]
                 every event, oldest first (jsonl is the agent audit.log line shape); FILE is
                 written 0600 and replaced whole, never left half-written
  import --format jsonl FILE
                 brings an agent audit.log along; bad lines are reported and skipped
  prune [--max-age DURATION] [--max-rows N]
                 removes old events; the chain still verifies afterwards

The log is $ALEPH_HOME/data/aleph.db (default ~/.aleph/data/aleph.db).`;

async function audit({ sub, args, io }: Invocation): Promise<number> {
  const handler = HANDLERS[sub]!;
  const home = alephHome(io.env);
  const log = new AuditLog(auditFile(home), auditHeadFile(home));
  try {
    return await handler.run(log, args, io);
  } catch (error) {
    if (error instanceof AuditError) return io.fail(error, flag(args, 'json'));
    throw error;
  } finally {
    log.close();
  }
}

/** The log a command works on, with its head: opened as the command needs, closed after it. */
class AuditLog {
  private store: AuditStore | null = null;

  constructor(
    readonly file: string,
    readonly head: string,
  ) {}

  /** The store; only an import may start a log where there is none. */
  open(create = false): AuditStore {
    this.store ??= AuditStore.open(this.file, { head: this.head, create });
    return this.store;
  }

  close(): void {
    this.store?.close();
  }
}

/** `-n 20` is `--n 20`: the one short option people expect from tail. */
function normalizeShort(args: readonly string[]): string[] {
  return args.map((a) => (a === '-n' ? '--n' : a));
}

interface Handler {
  readonly options: Options;
  run(log: AuditLog, args: ParsedArgs, io: Io): Promise<number>;
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  search: {
    options: {
      event: { value: true, multiple: true },
      decision: { value: true, multiple: true },
      risk: { value: true, multiple: true },
      session: { value: true },
      actor: { value: true },
      since: { value: true },
      until: { value: true },
      limit: { value: true },
      cursor: { value: true },
      json: {},
    },
    async run(log, args, io) {
      const query = searchQuery(args, Date.now());
      if (typeof query === 'string') return io.usage(query);
      const result = search(log.open(), query);
      if (flag(args, 'json')) {
        io.out(JSON.stringify({ rows: result.rows, next_cursor: result.next_cursor, count: result.count, count_exact: result.count_exact }));
        return EXIT.ok;
      }
      const style = styleFor(io.stdout, io.env);
      if (result.rows.length === 0) io.out('No events match.');
      for (const row of result.rows) io.out(formatRow(row, style));
      const shown = `${result.rows.length} of ${result.count}${result.count_exact ? '' : '+'} matching events`;
      io.out(style.dim(result.next_cursor === null ? shown : `${shown}; more with --cursor ${result.next_cursor}`));
      return EXIT.ok;
    },
  },
  tail: {
    options: { n: { value: true }, follow: {}, json: {} },
    async run(log, args, io) {
      const n = Number(value(args, 'n') ?? 20);
      if (!Number.isInteger(n) || n < 0) return io.usage('-n needs a whole number.');
      const store = log.open();
      const json = flag(args, 'json');
      const style = styleFor(io.stdout, io.env);
      const print = (row: AuditRow): void => io.out(json ? JSON.stringify(row) : formatRow(row, style));
      let last = 0;
      for (const row of store.latest(n)) {
        print(row);
        last = row.id;
      }
      if (!flag(args, 'follow')) return EXIT.ok;
      last = Math.max(last, store.latest(1)[0]?.id ?? 0);
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        while (!stop.signal.aborted) {
          for (const row of store.rows(last)) {
            print(row);
            last = row.id;
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      return EXIT.ok;
    },
  },
  verify: {
    options: { json: {} },
    async run(log, args, io) {
      // Read without opening the log for writing: a missing log is reported, never created.
      return printCheck(AuditStore.verifyFile(log.file, { head: log.head }), flag(args, 'json'), io);
    },
  },
  export: {
    options: { format: { value: true }, output: { value: true }, json: {} },
    async run(log, args, io) {
      const format = value(args, 'format');
      if (format !== 'jsonl' && format !== 'csv') return io.usage('--format must be jsonl or csv.');
      const store = log.open();
      const json = flag(args, 'json');
      const output = value(args, 'output');
      let n = 0;
      /** The export, in chunks of many lines. */
      function* chunks(): Generator<string> {
        let chunk = format === 'csv' ? `${CSV_HEADER}\n` : '';
        for (const row of store.rows()) {
          chunk += `${format === 'csv' ? toCsvLine(row) : toJsonLine(row)}\n`;
          n++;
          if (chunk.length >= 64 * 1024) {
            yield chunk;
            chunk = '';
          }
        }
        if (chunk !== '') yield chunk;
      }
      if (output === undefined) {
        for (const chunk of chunks()) if (!io.stdout.write(chunk)) await once(io.stdout, 'drain');
        return EXIT.ok;
      }
      // Written to a private temporary file beside FILE, then renamed over it: an export cut short
      // (a full disk, a kill) leaves FILE as it was, and the log (what ran on this machine) is never
      // readable by others.
      const temporary = `${output}.${process.pid}.tmp`;
      try {
        await pipeline(Readable.from(chunks()), createWriteStream(temporary, { flags: 'wx', mode: 0o600 }));
        renameSync(temporary, output);
      } catch (error) {
        rmSync(temporary, { force: true });
        return io.fail({ code: 'unwritable', message: `Cannot write ${output}: ${(error as Error).message}` }, json);
      }
      if (json) io.out(JSON.stringify({ exported: n, file: output, format }));
      else io.err(`Exported ${n} events to ${output}.`);
      return EXIT.ok;
    },
  },
  import: {
    options: { format: { value: true }, json: {} },
    async run(log, args, io) {
      if (value(args, 'format') !== 'jsonl') return io.usage('--format jsonl is required (the agent audit.log shape).');
      const file = args.operands[0];
      if (file === undefined || args.operands.length > 1) return io.usage('Give exactly one FILE to import.');
      const input = createReadStream(file, 'utf8');
      const opened = new Promise<void>((resolve, reject) => {
        input.once('open', () => resolve());
        input.once('error', reject);
      });
      try {
        await opened;
      } catch (error) {
        return io.fail({ code: 'unreadable', message: `Cannot read ${file}: ${(error as Error).message}` }, flag(args, 'json'));
      }
      const report = await importJsonLines(log.open(true), createInterface({ input, crlfDelay: Infinity }));
      if (flag(args, 'json')) io.out(JSON.stringify(report));
      else {
        io.out(`Imported ${report.imported} events; skipped ${report.skipped} lines.`);
        for (const e of report.errors) io.err(`  line ${e.line}: ${e.message}`);
      }
      return report.skipped > 0 ? EXIT.failure : EXIT.ok;
    },
  },
  prune: {
    options: { 'max-age': { value: true }, 'max-rows': { value: true }, json: {} },
    async run(log, args, io) {
      const age = value(args, 'max-age');
      const rows = value(args, 'max-rows');
      if (age === undefined && rows === undefined) return io.usage('Give --max-age and/or --max-rows.');
      const maxAge = age === undefined ? undefined : parseDuration(age);
      if (maxAge !== undefined && !maxAge.ok) return io.usage(maxAge.error.message);
      const maxRows = rows === undefined ? undefined : Number(rows);
      if (maxRows !== undefined && (!Number.isInteger(maxRows) || maxRows < 0)) return io.usage('--max-rows needs a whole number.');
      const removed = log.open().prune({ ...(maxAge === undefined ? {} : { maxAgeMs: maxAge.value }), ...(maxRows === undefined ? {} : { maxRows }) });
      io.out(flag(args, 'json') ? JSON.stringify({ removed }) : `Removed ${removed} events.`);
      return EXIT.ok;
    },
  },
};

export const command = defineCommand({
  help: AUDIT_HELP,
  subcommands: Object.keys(HANDLERS),
  optionsFor: (sub) => HANDLERS[sub]!.options,
  optionsAnywhere: true,
  rewrite: normalizeShort,
  run: audit,
});

/** The search options as a query, or a usage message. */
function searchQuery(args: ParsedArgs, now: number): SearchQuery | string {
  const list = (name: string): string[] =>
    (args.options.get(name) ?? [])
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
  const events = list('event');
  const badEvent = events.find((e) => !(AUDIT_EVENT_TYPES as readonly string[]).includes(e));
  if (badEvent !== undefined) return `Unknown event type "${badEvent}"; expected one of ${AUDIT_EVENT_TYPES.join(', ')}.`;
  const risks = list('risk');
  const badRisk = risks.find((r) => !(RISK_LEVELS as readonly string[]).includes(r));
  if (badRisk !== undefined) return `Unknown risk level "${badRisk}"; expected one of ${RISK_LEVELS.join(', ')}.`;
  const when = (name: string): number | string | undefined => {
    const v = value(args, name);
    if (v === undefined) return undefined;
    const r = parseWhen(v, now);
    return r.ok ? r.value : `--${name}: ${r.error.message}`;
  };
  const since = when('since');
  const until = when('until');
  if (typeof since === 'string') return since;
  if (typeof until === 'string') return until;
  const limitText = value(args, 'limit');
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) return '--limit needs a whole number from 1 to 1000.';
  const session = value(args, 'session');
  const actor = value(args, 'actor');
  const cursor = value(args, 'cursor');
  const text = args.operands.join(' ');
  return {
    ...(text === '' ? {} : { text }),
    ...(events.length === 0 ? {} : { events: events as AuditEventType[] }),
    ...(list('decision').length === 0 ? {} : { decisions: list('decision') }),
    ...(risks.length === 0 ? {} : { risks: risks as RiskLevel[] }),
    ...(session === undefined ? {} : { session }),
    ...(actor === undefined ? {} : { actor }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    ...(limit === undefined ? {} : { limit }),
    ...(cursor === undefined ? {} : { cursor }),
  };
}

/**
 * One row for people. Columns are padded before they are coloured (colour codes take no room on
 * screen), and the session is shown whole: two sessions must never look like one.
 */
function formatRow(row: AuditRow, style: Style): string {
  const risk = (row.risk_level ?? '').padEnd(8);
  const decision = (row.decision ?? '').padEnd(12);
  return [
    style.dim(row.ts.replace('T', ' ').slice(0, 19)),
    row.event.padEnd(20),
    row.decision !== null && /deny|reject|block/.test(row.decision) ? style.red(decision) : decision,
    row.risk_level === 'critical' || row.risk_level === 'high' ? style.red(risk) : risk,
    style.dim(visibleText(row.session ?? '').padEnd(12)),
    visibleText(row.summary),
  ].join('  ');
}

/** A chain check for people (every problem, as many as were listed) or as JSON; exit 1 unless intact. */
function printCheck(check: ChainCheck, json: boolean, io: Io): number {
  if (json) io.out(JSON.stringify(check));
  else if (check.ok) {
    const pruned = check.anchored_after === null ? '' : ` (events up to ${check.anchored_after} were pruned; the chain continues from their anchor)`;
    const head = check.head === null ? '' : `, up to its head recorded outside the log (event ${check.head.id})`;
    io.out(`Intact: ${check.rows} events verified${pruned}${head}.`);
  } else {
    const listed = check.problems.length < check.problem_count ? ` (the first ${check.problems.length} below)` : '';
    io.out(`Broken: ${check.problem_count} ${check.problem_count === 1 ? 'problem' : 'problems'} over ${check.rows} events${listed}.`);
    for (const p of check.problems) io.out(p.id === null ? `  ${p.reason}` : `  event ${p.id}: ${p.reason}`);
  }
  return check.ok ? EXIT.ok : EXIT.failure;
}
