// Bench driver for bench/snmp-walk.ts, in plain JavaScript over the SNMP transport compiled by
// the bench into $NOPESIGHT_SNMP_BUILD, so that its start-up is Node's alone (~50 ms) and not
// tsx's (~400 ms): the reference, snmpbulkwalk, is a C program.
//   walk HOST COMMUNITY ROOT…   walks the roots with walkMany() on one v2c session and prints
//                               one JSON line: varbinds per root, errors, in-process time.
//   silent TIMEOUT_MS RETRIES ADDRESS…   walks 1.3.6.1.2.1.1 on every address at once and
//                               prints one JSON line: outcome codes and in-process time.
//   collect HOST COMMUNITY      the real collectSnmpInventory() on one v2c session (system GET,
//                               vendor GET, every WALK_ROOTS walk, parsing, mapping) and prints
//                               one JSON line: varbinds per root as the collector got them, the
//                               system scalars answered, sections, item counts, times.
// BENCH_MAX_REPETITIONS overrides the session's GETBULK max-repetitions (to tune the default).
/* global performance, AbortSignal -- Node globals; eslint treats .mjs as plain ES */
const build = process.env.NOPESIGHT_SNMP_BUILD;
if (!build) throw new Error('NOPESIGHT_SNMP_BUILD is not set: run through bench/snmp-walk.ts');
const { openSnmp } = await import(`${build}/transports/snmp/snmp-session.js`);
// Loaded only in collect mode: the collector brings the ~1.4 MB enterprise table with it.
const loadCollector = () => import(`${build}/collectors/snmp/index.js`);

const [mode, ...args] = process.argv.slice(2);
const at = new Date(0).toISOString();
const options = { timeoutMs: 2000, retries: 1 };
const maxRepetitions = Number(process.env.BENCH_MAX_REPETITIONS) || undefined;
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
    { ...options, maxRepetitions },
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
} else if (mode === 'collect') {
  const [host, community] = args;
  const started = performance.now();
  const { collectSnmpInventory } = await loadCollector();
  const imported = performance.now();
  const session = openSnmp(
    host,
    { credential: credential(), secrets: { community } },
    { ...options, maxRepetitions },
  );
  // The session as the collector's walker, counting what each call returned on the way.
  const perRoot = {};
  const failed = [];
  let systemAnswered = [];
  let lastAnswer = 0;
  const walker = {
    async get(oids, opts) {
      const vbs = await session.get(oids, opts);
      lastAnswer = performance.now();
      if (oids.includes('1.3.6.1.2.1.1.2.0'))
        systemAnswered = vbs.filter((v) => v.value !== null).map((v) => v.oid);
      return vbs;
    },
    async walk(root, opts) {
      const r = await session.walk(root, opts).catch((err) => {
        perRoot[root] = 0;
        failed.push(`${root}: ${err.code ?? ''} ${err.message}`);
        throw err;
      });
      lastAnswer = performance.now();
      perRoot[root] = r.varbinds.length;
      if (r.error) failed.push(`${root}: ${r.error.code} ${r.error.message}`);
      return r;
    },
  };
  try {
    const inv = await collectSnmpInventory(walker, {
      signal: AbortSignal.timeout(120_000),
      timeoutMs: 60_000,
    });
    const done = performance.now();
    const items = Object.fromEntries(
      Object.entries(inv.ci).flatMap(([k, v]) => (Array.isArray(v) ? [[k, v.length]] : [])),
    );
    console.log(
      JSON.stringify({
        perRoot,
        systemAnswered,
        failed,
        error: inv.error,
        stats: inv.stats,
        sections: inv.sections,
        items: { ...items, relationships: inv.relationships.length },
        role: inv.type.role,
        importMs: imported - started,
        collectMs: done - imported,
        // From the last answer to the collector's return: parsing and mapping.
        mapMs: done - lastAnswer,
        ms: done - started,
        sinceProcessStartMs: done,
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
    'usage: snmp-walk-driver.mjs walk HOST COMMUNITY ROOT… | collect HOST COMMUNITY | silent TIMEOUT_MS RETRIES ADDRESS…',
  );
  process.exit(2);
}
