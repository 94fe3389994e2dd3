// Bench driver: runs sweep() on targets and ports from argv, prints alive hosts as JSON lines.
// Stand-in for `nopesight-scanner scan --protocols none --jsonl -` until the CLI has it.
import { defaultConfig } from '../../packages/agent/src/config/defaults.js';
import { sweep } from '../../packages/agent/src/discovery/sweep/index.js';
import { expandTargets, parseTargets } from '../../packages/agent/src/discovery/targets/index.js';
import { readFileSync } from 'node:fs';

/** Peak resident set (VmHWM, kB) of this process, from /proc; null off Linux. */
function peakRssKb(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

async function main(argv: string[]): Promise<void> {
  let ports: number[] = [...defaultConfig().scan.tcpPorts];
  let maxInFlight: number | undefined;
  let icmp = false;
  let memEveryMs = 0;
  const tokens: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--ports') ports = argv[++i]!.split(',').map(Number);
    else if (a === '--max-in-flight') maxInFlight = Number(argv[++i]);
    else if (a === '--icmp') icmp = true;
    else if (a === '--mem') memEveryMs = 5000;
    else tokens.push(a);
  }
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  process.once('SIGTERM', () => ac.abort());
  const targets = expandTargets(parseTargets(tokens, { allowFiles: false }), [], {
    signal: ac.signal,
  });
  const started = performance.now();
  // --mem: where the memory goes (heap vs. native), for the RSS benchmark's investigations.
  const memTimer =
    memEveryMs > 0
      ? setInterval(() => {
          const m = process.memoryUsage();
          const mb = (n: number): number => Math.round(n / 1048576);
          process.stderr.write(
            `mem rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} MB\n`,
          );
        }, memEveryMs)
      : null;
  let last: unknown = null;
  const out: string[] = [];
  const flush = (): void => {
    if (out.length > 0) process.stdout.write(out.join(''));
    out.length = 0;
  };
  for await (const r of sweep(targets, {
    tcpPorts: ports,
    icmp,
    maxInFlight,
    signal: ac.signal,
    onProgress: (s) => (last = s),
  })) {
    if (!r.alive) continue;
    out.push(
      JSON.stringify({ address: r.target.address, openTcp: r.openTcp, foundBy: r.foundBy }) + '\n',
    );
    if (out.length >= 256) flush();
  }
  flush();
  if (memTimer) clearInterval(memTimer);
  process.stderr.write(
    JSON.stringify({
      summary: last,
      durationMs: Math.round(performance.now() - started),
      vmHwmKb: peakRssKb(),
    }) + '\n',
  );
}

await main(process.argv.slice(2));
