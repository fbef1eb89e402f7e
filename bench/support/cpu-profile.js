#!/usr/bin/env node
// Top frames of a V8 CPU profile (`node --cpu-prof`, or BENCH_CPU_PROF=<dir> for bench:ecg and
// bench:ingest), by self time and by total time, for docs/performance.md:
//   node bench/support/cpu-profile.js <file.cpuprofile> [count] [lastSeconds]
// lastSeconds keeps only the samples of the profile's last seconds (the measured run, not start-up).
const { readFileSync } = require('node:fs');
const { relative } = require('node:path');

const [file, countArg, lastArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/support/cpu-profile.js <file.cpuprofile> [count]');
  process.exit(2);
}
const count = Number(countArg ?? 15);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
// Sample i was taken at startTime + the sum of timeDeltas[0..i] (µs).
const times = [];
let t = profile.startTime;
for (const delta of profile.timeDeltas) times.push((t += delta));
const from = lastArg ? profile.endTime - Number(lastArg) * 1e6 : -Infinity;
profile.samples = profile.samples.filter((_, i) => times[i] >= from);
const selfSamples = new Map();
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);

const label = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${relative(process.cwd(), f.url.replace(/^file:\/\//, ''))}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};
const parents = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id);

const self = new Map();
const total = new Map();
for (const [id, samples] of selfSamples) {
  const key = label(byId.get(id));
  self.set(key, (self.get(key) ?? 0) + samples);
  // Each frame once per sample, however often it recurses.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parents.get(at)) {
    const k = label(byId.get(at));
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + samples);
  }
}
const all = profile.samples.length;
const interval = (profile.endTime - Math.max(from, profile.startTime)) / Math.max(1, all);
const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((s, [, v]) => s + v, 0);
const show = (title, map) => {
  console.log(`\n${title} (${all} samples, ${((all * interval) / 1e6).toFixed(1)} s, ${((100 * idle) / all).toFixed(0)} % idle)`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${((100 * v) / all).toFixed(1).padStart(5)} %  ${k}`);
  }
};
show('self time', self);
show('total time', total);
