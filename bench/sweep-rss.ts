// Bench: sweep the absent /16 with the default ports; peak RSS of the sweeping process must stay < 150 MB.
import { defaultConfig } from '../packages/agent/src/config/defaults.js';
import { ABSENT_CIDR } from '../test/lab/lab-hosts.js';
import {
  assertInLab,
  fmtMmm,
  fmtS,
  minMedMax,
  ourCommand,
  parseBenchArgs,
  parseDriverSummary,
  parseOurJsonl,
  runTimed,
} from './lib/bench-lib.js';

const LIMIT_MB = 150;
const LIMIT_MS = 3_600_000;

const { runs } = parseBenchArgs(process.argv.slice(2));
assertInLab();
const cmd = ourCommand(defaultConfig().scan.tcpPorts, [ABSENT_CIDR]);
const peaks: number[] = [];
const times: number[] = [];
let failures = 0;
console.log(
  `sweep-rss: ${ABSENT_CIDR}, ports ${defaultConfig().scan.tcpPorts.join(',')}, ${runs} run(s) (no reference tool)`,
);
for (let i = 0; i < runs; i++) {
  const o = await runTimed(cmd, LIMIT_MS);
  if (o.status !== 0) {
    console.error(`run ${i + 1}: exit status ${o.status}\n${o.stderr}`);
    failures++;
    continue;
  }
  // The driver reports its own VmHWM at exit; the poll may miss the last 100 ms. Take the larger.
  const own = parseDriverSummary(o.stderr).vmHwmKb ?? 0;
  const peakMb = Math.max(own, o.peakRssKb ?? 0) / 1024;
  const alive = parseOurJsonl(o.stdout).alive.size;
  peaks.push(peakMb);
  times.push(o.ms);
  if (peakMb >= LIMIT_MB || alive > 0) failures++;
  console.log(
    `run ${i + 1}: duration ${fmtS(o.ms)}  peak RSS (VmHWM) ${peakMb.toFixed(1)} MB  alive ${alive}`,
  );
}
if (peaks.length > 0) {
  console.log(`duration ${fmtMmm(minMedMax(times), fmtS)}`);
  console.log(
    `peak RSS ${fmtMmm(minMedMax(peaks), (x) => `${x.toFixed(1)} MB`)}  (limit < ${LIMIT_MB} MB)`,
  );
  console.log(`result: ${failures === 0 ? 'within limit' : `${failures} run(s) failed`}`);
}
process.exitCode = failures > 0 || peaks.length === 0 ? 1 : 0;
