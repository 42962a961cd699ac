// Readable axe results.

/** One block per violation: rule, impact, help, and each offending node with its selector and summary. */
export function formatViolations(where, violations) {
  if (violations.length === 0) return `${where}: sin infracciones`;
  const lines = [`${where}: ${violations.length} infracciones de axe`];
  for (const v of violations) {
    lines.push(`  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const node of v.nodes) {
      lines.push(`      en ${node.target.join(' ')}: ${node.html.slice(0, 200)}`);
      if (node.failureSummary) lines.push(`        ${node.failureSummary.replaceAll('\n', '\n        ')}`);
    }
  }
  return lines.join('\n');
}
