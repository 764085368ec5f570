#!/usr/bin/env node
// `node scripts/mutation-survivors.mjs <mutation.json> [path-part…]`: what a Stryker run left, to
// sort into tests and equivalents. Per file (those whose path holds one of the parts, all when none
// is given): its score over all mutants and over covered code, then each mutant that survived or
// had no coverage, as `file:line status mutator: original → replacement`. The HTML report shows
// the same one file at a time; this lists them all, in the order of the source.
import { readFileSync } from 'node:fs';

const [reportFile, ...parts] = process.argv.slice(2);
if (!reportFile) {
  console.error('usage: node scripts/mutation-survivors.mjs <mutation.json> [path-part…]');
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const percent = (n, d) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);

for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  if (parts.length > 0 && !parts.some((part) => file.includes(part))) continue;
  const count = (statuses) => mutants.filter((m) => statuses.has(m.status)).length;
  const detected = count(DETECTED);
  const undetected = count(UNDETECTED);
  const covered = detected + mutants.filter((m) => m.status === 'Survived').length;
  console.log(`${file}: ${percent(detected, detected + undetected)} / ${percent(detected, covered)} covered`);
  const lines = source.split('\n');
  const left = mutants
    .filter((m) => UNDETECTED.has(m.status))
    .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);
  for (const m of left) {
    const { start, end } = m.location;
    const original =
      start.line === end.line
        ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
        : `${lines[start.line - 1].slice(start.column - 1)}…`;
    const shorten = (text) => (text.length > 80 ? `${text.slice(0, 77)}...` : text).replace(/\s+/g, ' ');
    console.log(
      `  ${file}:${start.line} ${m.status} ${m.mutatorName}: ${shorten(original)} → ${shorten(m.replacement ?? '')}`,
    );
  }
}
