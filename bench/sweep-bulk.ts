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
  compareWithReference,
  diffPortMaps,
  ourCommand,
  parseBenchArgs,
  parseNmapGrepable,
  parseOurJsonl,
} from './lib/bench-lib.js';

const TARGET_RATIO = 0.5;
const LIMIT_MS = 300_000;

const { runs } = parseBenchArgs(process.argv.slice(2));
assertInLab();
const expected = new Map<string, number[]>();
for (let n = 0; n < BULK_COUNT; n++) expected.set(bulkAddress(n), bulkOpenPorts(bulkAddress(n)));
const nmapCmd = ['nmap', '-sT', '-Pn', '-n', '-p', BULK_PORTS.join(','), BULK_CIDR, '-oG', '-'];
const oursCmd = ourCommand(BULK_PORTS, [BULK_CIDR]);

console.log(`sweep-bulk: ${BULK_CIDR}, ports ${BULK_PORTS.join(',')}, ${runs} run(s)`);
await compareWithReference({
  runs,
  ours: oursCmd,
  reference: nmapCmd,
  referenceName: 'nmap',
  limitMs: LIMIT_MS,
  targetRatio: TARGET_RATIO,
  check: (o, n) => {
    const oursOpen = parseOurJsonl(o.stdout).open;
    const nmapOpen = parseNmapGrepable(n.stdout);
    const diffs = [
      ...diffPortMaps(oursOpen, nmapOpen, 'ours', 'nmap'),
      ...diffPortMaps(oursOpen, expected, 'ours', 'bulkOpenPorts'),
    ];
    const ok = diffs.length === 0;
    return {
      ok,
      summary:
        `hosts with open ports: ours ${oursOpen.size}, nmap ${nmapOpen.size}  ` +
        (ok ? 'open ports identical' : `MISMATCH (${diffs.length})`),
      details: diffs,
    };
  },
});
