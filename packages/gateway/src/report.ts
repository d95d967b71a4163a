/**
 * The headless report: every request and its decision, for a CI run to show what an agent tried
 * and what was refused. JUnit XML (each request a test case, each refusal a failure) or JSON.
 */
import type { Outcome } from './decision/verdicts.js';

export type ReportFormat = 'junit' | 'json';

function xml(text: string): string {
  // Characters XML 1.0 cannot hold at all are dropped; the rest are escaped.
  return text
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function renderReport(outcomes: readonly Outcome[], format: ReportFormat): string {
  if (format === 'json') {
    const denied = outcomes.filter((o) => o.decision === 'deny').length;
    return `${JSON.stringify({ requests: outcomes.length, allowed: outcomes.length - denied, denied, outcomes }, null, 2)}\n`;
  }
  const failures = outcomes.filter((o) => o.decision === 'deny').length;
  const cases = outcomes.map((o) => {
    const name = xml(o.request.command);
    const attrs = `classname="${xml(`aleph.${o.request.agent_id}`)}" name="${name}"`;
    const props = `<system-out>${xml(`${o.at} ${o.decision} by ${o.resolved_by} (verdict ${o.verdict}, risk ${o.risk_level}) in ${o.request.cwd}: ${o.reason}`)}</system-out>`;
    return o.decision === 'deny'
      ? `    <testcase ${attrs}><failure message="${xml(o.reason)}" type="denied"/>${props}</testcase>`
      : `    <testcase ${attrs}>${props}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="aleph" tests="${outcomes.length}" failures="${failures}">`,
    `  <testsuite name="exec approvals" tests="${outcomes.length}" failures="${failures}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
