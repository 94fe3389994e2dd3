#!/usr/bin/env node
// Runs the test suites with node's test runner (TypeScript through tsx).
//   unit: every *.test.ts that is not a lab test, as the current user.
//   lab:  every *.lab.test.ts, inside the lab's scanner namespace; needs root. Brings the lab up
//         first (test/lab/lab.sh up, idempotent) and down afterwards, whatever the outcome.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const suite = process.argv[2] ?? 'unit';
const only = process.argv.slice(3);

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const all = ['packages', 'test', 'bench', 'scripts'].flatMap((d) => {
  try {
    return findTests(join(root, d));
  } catch {
    return [];
  }
});
const isLab = (f) => f.endsWith('.lab.test.ts');
let files = all.filter((f) => (suite === 'lab' ? isLab(f) : !isLab(f)));
if (only.length > 0) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.log(`no ${suite} tests matched`);
  process.exit(suite === 'lab' ? 0 : 1);
}

const nodeArgs = ['--import', 'tsx', '--test', '--test-concurrency=2', ...files];
let status;
if (suite === 'lab') {
  if (process.getuid?.() !== 0) {
    console.log(
      `lab tests skipped: they need root to build network namespaces (${files.length} files)`,
    );
    process.exit(0);
  }
  const lab = join(root, 'test/lab/lab.sh');
  // LAB_PREFIX (default nsl) picks the lab: a second prefix is a second, independent lab.
  const scanNs = `${process.env.LAB_PREFIX ?? 'nsl'}-scan`;
  // A lab that was already up (a developer's, kept with NOPESIGHT_KEEP_LAB) is left up afterwards.
  const wasUp = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.includes(scanNs);
  const up = spawnSync('bash', [lab, 'up'], { stdio: 'inherit', cwd: root });
  if (up.status !== 0) {
    if (!wasUp && !process.env.NOPESIGHT_KEEP_LAB) {
      spawnSync('bash', [lab, 'down'], { stdio: 'inherit', cwd: root });
    }
    console.error('lab tests: the lab did not come up');
    process.exit(1);
  }
  try {
    const r = spawnSync('ip', ['netns', 'exec', scanNs, process.execPath, ...nodeArgs], {
      stdio: 'inherit',
      cwd: root,
      env: { ...process.env, NOPESIGHT_IN_LAB: '1' },
    });
    status = r.status ?? 1;
  } finally {
    if (!wasUp && !process.env.NOPESIGHT_KEEP_LAB) {
      spawnSync('bash', [lab, 'down'], { stdio: 'inherit', cwd: root });
    }
  }
} else {
  status = spawnSync(process.execPath, nodeArgs, { stdio: 'inherit', cwd: root }).status ?? 1;
}
process.exit(status);
