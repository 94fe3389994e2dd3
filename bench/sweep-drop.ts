// Bench: sweep the drop /24 (silent and absent addresses) against nmap's default timing; no false opens.
import { BULK_PORTS, DROP_CIDR } from '../test/lab/lab-hosts.js';
import {
  assertInLab,
  compareWithReference,
  ourCommand,
  parseBenchArgs,
  parseNmapGrepable,
  parseOurJsonl,
} from './lib/bench-lib.js';

const TARGET_RATIO = 0.1;
const LIMIT_MS = 600_000;

const { runs } = parseBenchArgs(process.argv.slice(2));
assertInLab();
const nmapCmd = ['nmap', '-sT', '-Pn', '-n', '-p', BULK_PORTS.join(','), DROP_CIDR, '-oG', '-'];
const oursCmd = ourCommand(BULK_PORTS, [DROP_CIDR]);

console.log(`sweep-drop: ${DROP_CIDR}, ports ${BULK_PORTS.join(',')}, ${runs} run(s)`);
await compareWithReference({
  runs,
  ours: oursCmd,
  reference: nmapCmd,
  referenceName: 'nmap',
  limitMs: LIMIT_MS,
  targetRatio: TARGET_RATIO,
  check: (o, n) => {
    const mine = parseOurJsonl(o.stdout);
    const nmapOpen = parseNmapGrepable(n.stdout);
    // Nothing in this /24 answers: any open port or alive host is a false result.
    const ok = mine.open.size === 0 && mine.alive.size === 0;
    return {
      ok,
      summary:
        `ours alive ${mine.alive.size}, open ${mine.open.size}; nmap hosts with open ports ${nmapOpen.size}  ` +
        (ok ? 'no false opens' : 'FALSE RESULTS'),
      details: [...mine.alive].map((a) => `alive?! ${a}`),
    };
  },
});
