/**
 * An offline check of a GitHub Actions workflow: what actionlint would catch first, without
 * actionlint (not on npm) or the network. It parses the YAML strictly (duplicate keys are errors),
 * holds every mapping to the keys GitHub's workflow syntax defines, each step to one `uses` (pinned
 * to a ref) or one `run`, `needs` to jobs that exist, `matrix.*` to the job's own matrix and every
 * other expression to a context GitHub knows; and it reads each `run` script with `bash -n`, so
 * a quoting slip fails here, not on a runner. Returns the problems, each naming where it is.
 */
import { spawnSync } from 'node:child_process';
import { parseDocument } from 'yaml';

const TOP_KEYS = ['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs'];
const JOB_KEYS = [
  'name',
  'needs',
  'permissions',
  'runs-on',
  'environment',
  'concurrency',
  'outputs',
  'env',
  'defaults',
  'if',
  'steps',
  'timeout-minutes',
  'strategy',
  'continue-on-error',
  'container',
  'services',
  'uses',
  'with',
  'secrets',
];
const STEP_KEYS = ['id', 'if', 'name', 'uses', 'run', 'working-directory', 'shell', 'with', 'env', 'continue-on-error', 'timeout-minutes'];
const STRATEGY_KEYS = ['matrix', 'fail-fast', 'max-parallel'];
const EVENTS = ['push', 'pull_request', 'pull_request_target', 'workflow_dispatch', 'workflow_call', 'schedule', 'merge_group', 'release', 'workflow_run'];
const CONTEXTS = ['github', 'env', 'vars', 'job', 'jobs', 'steps', 'runner', 'secrets', 'strategy', 'matrix', 'needs', 'inputs'];
const PERMISSION_VALUES = ['read', 'write', 'none'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isMap = (v: Json | undefined): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface Workflow {
  readonly value: { [key: string]: Json };
}

/** The workflow as data, or the parser's problems (duplicate keys among them). */
export function parseWorkflow(text: string): { workflow: Workflow | null; problems: string[] } {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const problems = [...doc.errors, ...doc.warnings].map((e) => `yaml: ${e.message}`);
  // The YAML library's JSON form of the document: `unknown` in its types, a JSON value in fact.
  const value = doc.toJS() as Json;
  if (!isMap(value)) return { workflow: null, problems: [...problems, 'the file is not a mapping'] };
  return { workflow: { value }, problems };
}

export function lintWorkflow(text: string): string[] {
  const { workflow, problems } = parseWorkflow(text);
  if (workflow === null) return problems;
  const wf = workflow.value;
  const unknown = (where: string, map: { [key: string]: Json }, allowed: readonly string[]) => {
    for (const key of Object.keys(map)) if (!allowed.includes(key)) problems.push(`${where}: unknown key "${key}"`);
  };
  unknown('workflow', wf, TOP_KEYS);
  const on = wf.on;
  const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : isMap(on) ? Object.keys(on) : [];
  if (events.length === 0) problems.push('workflow: "on" names no event');
  for (const e of events) if (!EVENTS.includes(e)) problems.push(`on: unknown event "${e}"`);
  checkPermissions('workflow', wf.permissions, problems);
  const jobs = wf.jobs;
  if (!isMap(jobs) || Object.keys(jobs).length === 0) {
    problems.push('workflow: no jobs');
    return problems;
  }
  for (const [id, job] of Object.entries(jobs)) {
    const where = `jobs.${id}`;
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(id)) problems.push(`${where}: a job id must start with a letter or _ and hold only letters, digits, - and _`);
    if (!isMap(job)) {
      problems.push(`${where}: not a mapping`);
      continue;
    }
    unknown(where, job, JOB_KEYS);
    if (job['runs-on'] === undefined && job.uses === undefined) problems.push(`${where}: no "runs-on"`);
    checkPermissions(where, job.permissions, problems);
    const needs = job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs.map(String) : [String(job.needs)];
    for (const n of needs) if (!(n in jobs)) problems.push(`${where}: needs "${n}", which is no job here`);
    const matrix = isMap(job.strategy) ? job.strategy.matrix : undefined;
    if (isMap(job.strategy)) unknown(`${where}.strategy`, job.strategy, STRATEGY_KEYS);
    const axes = isMap(matrix) ? Object.keys(matrix).filter((k) => k !== 'include' && k !== 'exclude') : [];
    checkExpressions(where, { name: job.name ?? null, 'runs-on': job['runs-on'] ?? null, env: job.env ?? null }, axes, problems);
    if (!Array.isArray(job.steps) || job.steps.length === 0) {
      if (job.uses === undefined) problems.push(`${where}: no steps`);
      continue;
    }
    job.steps.forEach((step, i) => {
      const at = `${where}.steps[${i}]${isMap(step) && typeof step.name === 'string' ? ` (${step.name})` : ''}`;
      if (!isMap(step)) {
        problems.push(`${at}: not a mapping`);
        return;
      }
      unknown(at, step, STEP_KEYS);
      const uses = step.uses;
      const run = step.run;
      if ((uses === undefined) === (run === undefined)) problems.push(`${at}: a step has either "uses" or "run", exactly one`);
      if (uses !== undefined && (typeof uses !== 'string' || (!/^[\w.-]+\/[\w./-]+@[\w.-]+$/.test(uses) && !uses.startsWith('./'))))
        problems.push(`${at}: "uses" must name owner/repo@ref`);
      if (step.with !== undefined) {
        if (!isMap(step.with)) problems.push(`${at}: "with" is not a mapping`);
        else for (const [k, v] of Object.entries(step.with)) if (isMap(v) || Array.isArray(v)) problems.push(`${at}: with.${k} must be a single value`);
      }
      if (step.env !== undefined && !isMap(step.env)) problems.push(`${at}: "env" is not a mapping`);
      checkExpressions(at, step, axes, problems);
      if (typeof run === 'string') {
        const script = run.replace(/\$\{\{[^}]*\}\}/g, 'EXPR');
        const syntax = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
        if (syntax.status !== 0) problems.push(`${at}: bash -n: ${syntax.stderr.trim()}`);
      } else if (run !== undefined) problems.push(`${at}: "run" is not text`);
    });
  }
  return problems;
}

function checkPermissions(where: string, permissions: Json | undefined, problems: string[]): void {
  if (permissions === undefined) return;
  if (permissions === 'read-all' || permissions === 'write-all') return;
  if (!isMap(permissions)) {
    problems.push(`${where}: "permissions" must be read-all, write-all or a mapping`);
    return;
  }
  for (const [scope, value] of Object.entries(permissions)) {
    if (typeof value !== 'string' || !PERMISSION_VALUES.includes(value)) problems.push(`${where}: permissions.${scope} must be read, write or none`);
  }
}

/** Every `${{ ... }}` in a value: closed, naming contexts GitHub knows, and matrix axes the job has. */
function checkExpressions(where: string, value: Json, axes: readonly string[], problems: string[]): void {
  const texts: string[] = [];
  const walk = (v: Json) => {
    if (typeof v === 'string') texts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (isMap(v)) Object.values(v).forEach(walk);
  };
  walk(value);
  for (const text of texts) {
    const opened = text.split('${{').length - 1;
    const expressions = [...text.matchAll(/\$\{\{(.*?)\}\}/g)].map((m) => m[1]!.trim());
    if (expressions.length !== opened) problems.push(`${where}: an expression is not closed: ${text}`);
    for (const expression of expressions) {
      for (const [, context, member] of expression.matchAll(/\b([a-z_]+)\.([A-Za-z_][\w-]*)/g)) {
        if (!CONTEXTS.includes(context!)) problems.push(`${where}: unknown context "${context}" in \${{ ${expression} }}`);
        else if (context === 'matrix' && !axes.includes(member!)) problems.push(`${where}: matrix.${member} is not in this job's matrix`);
      }
    }
  }
}
