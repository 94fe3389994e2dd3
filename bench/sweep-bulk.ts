// Bench: sweep the bulk /22 (1000 live hosts, 6 ports) against nmap -sT; identical open ports required.
import {
  BULK_CIDR,
  BULK_COUNT,
  BULK_PORTS,
  bulkAddress,
  bulkOpenPorts,
} from '../test/lab/lab-hosts.js';
import {
  assertInLab,
  diffPortMaps,
  fmtMmm,
  fmtS,
  minMedMax,
  ourCommand,
  parseBenchArgs,
  parseNmapGrepable,
  parseOurJsonl,
  runTimed,
} from './lib/bench-lib.js';

const TARGET_RATIO = 0.5;
const LIMIT_MS = 300_000;

const { runs } = parseBenchArgs(process.argv.slice(2));
assertInLab();
const expected = new Map<string, number[]>();
for (let n = 0; n < BULK_COUNT; n++) expected.set(bulkAddress(n), bulkOpenPorts(bulkAddress(n)));
const nmapCmd = ['nmap', '-sT', '-Pn', '-n', '-p', BULK_PORTS.join(','), BULK_CIDR, '-oG', '-'];
const oursCmd = ourCommand(BULK_PORTS, [BULK_CIDR]);

const ours: number[] = [];
const nmap: number[] = [];
const ratios: number[] = [];
let failures = 0;
console.log(`sweep-bulk: ${BULK_CIDR}, ports ${BULK_PORTS.join(',')}, ${runs} run(s)`);
for (let i = 0; i < runs; i++) {
  // Alternate which tool goes first so neither always inherits a warm (or cold) lab.
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
  const oursOpen = parseOurJsonl(o.stdout).open;
  const nmapOpen = parseNmapGrepable(n.stdout);
  const diffs = [
    ...diffPortMaps(oursOpen, nmapOpen, 'ours', 'nmap'),
    ...diffPortMaps(oursOpen, expected, 'ours', 'bulkOpenPorts'),
  ];
  const ratio = o.ms / n.ms;
  ours.push(o.ms);
  nmap.push(n.ms);
  ratios.push(ratio);
  const ok = diffs.length === 0;
  if (!ok) failures++;
  console.log(
    `run ${i + 1}: ours ${fmtS(o.ms)}  nmap ${fmtS(n.ms)}  ratio ${ratio.toFixed(3)}  ` +
      `hosts with open ports: ours ${oursOpen.size}, nmap ${nmapOpen.size}  ` +
      (ok ? 'open ports identical' : `MISMATCH (${diffs.length})`),
  );
  for (const d of diffs.slice(0, 10)) console.log(`  ${d}`);
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
