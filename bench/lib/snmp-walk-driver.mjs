// Bench driver for bench/snmp-walk.ts, in plain JavaScript over the SNMP transport compiled by
// the bench into $NOPESIGHT_SNMP_BUILD, so that its start-up is Node's alone (~50 ms) and not
// tsx's (~400 ms): the reference, snmpbulkwalk, is a C program.
//   walk HOST COMMUNITY ROOT…   walks the roots with walkMany() on one v2c session and prints
//                               one JSON line: varbinds per root, errors, in-process time.
//   silent TIMEOUT_MS RETRIES ADDRESS…   walks 1.3.6.1.2.1.1 on every address at once and
//                               prints one JSON line: outcome codes and in-process time.
// BENCH_MAX_REPETITIONS overrides the session's GETBULK max-repetitions (to tune the default).
/* global performance, AbortSignal -- Node globals; eslint treats .mjs as plain ES */
const build = process.env.NOPESIGHT_SNMP_BUILD;
if (!build) throw new Error('NOPESIGHT_SNMP_BUILD is not set: run through bench/snmp-walk.ts');
const { openSnmp } = await import(`${build}/transports/snmp/snmp-session.js`);

const [mode, ...args] = process.argv.slice(2);
const at = new Date(0).toISOString();
const credential = (version = '2c') => ({
  id: 'bench-snmp',
  name: 'bench snmp',
  kind: 'snmp',
  scope: [],
  createdAt: at,
  updatedAt: at,
  version,
  port: 161,
});

if (mode === 'walk') {
  const [host, community, ...roots] = args;
  const started = performance.now();
  const session = openSnmp(
    host,
    { credential: credential(), secrets: { community } },
    {
      timeoutMs: 2000,
      retries: 1,
      maxRepetitions: Number(process.env.BENCH_MAX_REPETITIONS) || undefined,
    },
  );
  try {
    const results = await session.walkMany(roots, { signal: AbortSignal.timeout(120_000) });
    const perRoot = Object.fromEntries(roots.map((r, i) => [r, results[i].varbinds.length]));
    const errors = results.flatMap((r, i) =>
      r.error ? [`${roots[i]}: ${r.error.code} ${r.error.message}`] : [],
    );
    console.log(
      JSON.stringify({
        perRoot,
        errors,
        truncated: results.some((r) => r.truncated),
        ms: performance.now() - started,
      }),
    );
  } finally {
    session.close();
  }
} else if (mode === 'silent') {
  const [timeoutMs, retries, ...addresses] = args;
  const started = performance.now();
  const signal = AbortSignal.timeout(120_000);
  const outcomes = await Promise.all(
    addresses.map(async (address) => {
      const session = openSnmp(
        address,
        { credential: credential(), secrets: { community: 'bench-silent' } },
        { timeoutMs: Number(timeoutMs), retries: Number(retries) },
      );
      try {
        const r = await session.walk('1.3.6.1.2.1.1', { signal });
        return r.varbinds.length > 0 ? 'answered' : 'empty';
      } catch (err) {
        return err.code ?? 'error';
      } finally {
        session.close();
      }
    }),
  );
  const codes = {};
  for (const c of outcomes) codes[c] = (codes[c] ?? 0) + 1;
  console.log(JSON.stringify({ hosts: addresses.length, codes, ms: performance.now() - started }));
} else {
  console.error(
    'usage: snmp-walk-driver.mjs walk HOST COMMUNITY ROOT… | silent TIMEOUT_MS RETRIES ADDRESS…',
  );
  process.exit(2);
}
