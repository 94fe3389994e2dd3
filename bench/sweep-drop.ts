// Bench: sweep the drop /24 (silent and absent addresses) against nmap's default timing; no false opens.
import { BULK_PORTS, DROP_CIDR } from '../test/lab/lab-hosts.js';
import {
  assertInLab,
  fmtMmm,
  fmtS,
  minMedMax,
  ourCommand,
  parseBenchArgs,
  parseNmapGrepable,
  parseOurJsonl,
  runTimed,
} from './lib/bench-lib.js';

const TARGET_RATIO = 0.1;
const LIMIT_MS = 600_000;

const { runs } = parseBenchArgs(process.argv.slice(2));
assertInLab();
const nmapCmd = ['nmap', '-sT', '-Pn', '-n', '-p', BULK_PORTS.join(','), DROP_CIDR, '-oG', '-'];
const oursCmd = ourCommand(BULK_PORTS, [DROP_CIDR]);

const ours: number[] = [];
const nmap: number[] = [];
const ratios: number[] = [];
let failures = 0;
console.log(`sweep-drop: ${DROP_CIDR}, ports ${BULK_PORTS.join(',')}, ${runs} run(s)`);
for (let i = 0; i < runs; i++) {
  const order = i % 2 === 0 ? ['ours', 'nmap'] : ['nmap', 'ours'];
  const res: Record<string, Awaited<ReturnType<typeof runTimed>>> = {};
  for (const who of order) res[who] = await runTimed(who === 'ours' ? oursCmd : nmapCmd, LIMIT_MS);
  const o = res.ours!;
  const n = res.nmap!;
  if (o.status !== 0 || n.status !== 0) {
    console.error(`run ${i + 1}: exit status ours ${o.status}, nmap ${n.status}\n${o.stderr}`);
    failures++;
    continue;
  }
  const mine = parseOurJsonl(o.stdout);
  const nmapOpen = parseNmapGrepable(n.stdout);
  // Nothing in this /24 answers: any open port or alive host is a false result.
  const ok = mine.open.size === 0 && mine.alive.size === 0;
  if (!ok) failures++;
  const ratio = o.ms / n.ms;
  ours.push(o.ms);
  nmap.push(n.ms);
  ratios.push(ratio);
  console.log(
    `run ${i + 1}: ours ${fmtS(o.ms)}  nmap ${fmtS(n.ms)}  ratio ${ratio.toFixed(3)}  ` +
      `ours alive ${mine.alive.size}, open ${mine.open.size}; nmap hosts with open ports ${nmapOpen.size}  ` +
      (ok ? 'no false opens' : 'FALSE RESULTS'),
  );
  for (const a of [...mine.alive].slice(0, 10)) console.log(`  alive?! ${a}`);
}
if (ours.length > 0) {
  const r = minMedMax(ratios);
  console.log(`ours   ${fmtMmm(minMedMax(ours), fmtS)}`);
  console.log(`nmap   ${fmtMmm(minMedMax(nmap), fmtS)}`);
  console.log(`ratio  ${fmtMmm(r, (x) => x.toFixed(3))}  (target <= ${TARGET_RATIO})`);
  console.log(
    `result: ${failures === 0 ? 'correct' : `${failures} run(s) incorrect`}, ratio ${r.median <= TARGET_RATIO ? 'met' : 'NOT met'}`,
  );
  process.exitCode = failures > 0 ? 1 : r.median <= TARGET_RATIO ? 0 : 3;
} else process.exitCode = 1;
