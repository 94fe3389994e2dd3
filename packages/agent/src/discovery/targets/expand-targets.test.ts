// Tests for expandTargets: order, dedup, exclusions, hostnames, streaming without materializing, abort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Target } from '../types.js';
import type { ResolvedAddress, Resolver } from './dns-resolver.js';
import { expandTargets } from './expand-targets.js';
import { parseTargets } from './parse-targets.js';

/** A fake DNS zone: names map to addresses in the order a resolver would return them. */
const zone: Record<string, string[]> = {
  'db.test': ['10.0.0.3'],
  'app.test': ['10.0.0.1'],
  'alias.test': ['10.0.0.1'],
  'v6.test': ['a::1'],
  'dual.test': ['a::5', '10.0.0.5'],
  'mapped.test': ['::ffff:10.0.0.7'],
  'gw.test': ['10.0.0.13'],
  'multi.test': ['10.0.0.2', '10.0.0.12', 'a::2'],
  'far.test': ['192.0.2.50'],
};
const fakeResolve: Resolver = async (name) => {
  const found = zone[name];
  if (!found) throw new Error('no such name');
  return found.map((address): ResolvedAddress => ({
    address,
    family: address.includes(':') ? 6 : 4,
  }));
};

const show = (t: Target): string => (t.hostname ? `${t.address} (${t.hostname})` : t.address);

async function collect(
  targets: string[],
  excludes: string[],
  signal = new AbortController().signal,
): Promise<{ got: string[]; warnings: string[] }> {
  const warnings: string[] = [];
  const got: string[] = [];
  const gen = expandTargets(parseTargets(targets), parseTargets(excludes), {
    signal,
    resolve: fakeResolve,
    onWarning: (m) => warnings.push(m),
  });
  for await (const t of gen) got.push(show(t));
  return { got, warnings };
}

const cases: [string, string[], string[], string[], string[]][] = [
  ['a /30 without network and broadcast', ['10.0.0.0/30'], [], ['10.0.0.1', '10.0.0.2'], []],
  ['a /31 whole', ['10.0.0.6/31'], [], ['10.0.0.6', '10.0.0.7'], []],
  ['a /32', ['10.0.0.6/32'], [], ['10.0.0.6'], []],
  [
    'a dash range with .255 and .0 across octets',
    ['10.0.0.254-10.0.1.1'],
    [],
    ['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1'],
    [],
  ],
  [
    'overlapping specs once, ascending',
    ['10.0.0.5-7', '10.0.0.1', '10.0.0.6-9', '10.0.0.1'],
    [],
    ['10.0.0.1', '10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8', '10.0.0.9'],
    [],
  ],
  [
    'IPv4 before IPv6',
    ['a::1-a::2', '10.0.0.2', '10.0.0.1'],
    [],
    ['10.0.0.1', '10.0.0.2', 'a::1', 'a::2'],
    [],
  ],
  ['an IPv6 /126 whole', ['a::/126'], [], ['a::', 'a::1', 'a::2', 'a::3'], []],
  [
    'exclusions of every kind',
    ['10.0.0.0/28'],
    ['10.0.0.2', '10.0.0.4/31', '10.0.0.8-10', 'gw.test'],
    ['10.0.0.1', '10.0.0.3', '10.0.0.6', '10.0.0.7', '10.0.0.11', '10.0.0.12', '10.0.0.14'],
    [],
  ],
  [
    'a hostname exclusion at all its addresses',
    ['10.0.0.0/28', 'a::1-a::3'],
    ['multi.test'],
    [
      ...['10.0.0.1', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8'],
      ...['10.0.0.9', '10.0.0.10', '10.0.0.11', '10.0.0.13', '10.0.0.14', 'a::1', 'a::3'],
    ],
    [],
  ],
  [
    'a hostname inside a range once, with its name',
    ['10.0.0.0/29', 'db.test'],
    [],
    ['10.0.0.1', '10.0.0.2', '10.0.0.3 (db.test)', '10.0.0.4', '10.0.0.5', '10.0.0.6'],
    [],
  ],
  [
    'hostnames outside ranges in address order',
    ['v6.test', 'a::/126', '10.0.0.5', 'app.test'],
    [],
    ['10.0.0.1 (app.test)', '10.0.0.5', 'a::', 'a::1 (v6.test)', 'a::2', 'a::3'],
    [],
  ],
  [
    'two names for one address, the first kept',
    ['alias.test', 'app.test'],
    [],
    ['10.0.0.1 (alias.test)'],
    [],
  ],
  ['a name given twice once', ['db.test', 'DB.test.'], [], ['10.0.0.3 (db.test)'], []],
  ['a name at its first address only', ['dual.test'], [], ['a::5 (dual.test)'], []],
  ['a mapped answer as IPv4', ['mapped.test'], [], ['10.0.0.7 (mapped.test)'], []],
  [
    'a name that does not resolve: warned, skipped, the rest scanned',
    ['gone.test', '10.0.0.1'],
    [],
    ['10.0.0.1'],
    ['gone.test did not resolve (no such name); skipping it'],
  ],
  [
    'a name that resolves into an exclusion: warned and skipped',
    ['db.test', '10.0.0.9'],
    ['10.0.0.0/30'],
    ['10.0.0.9'],
    ['db.test resolves to 10.0.0.3, which is excluded; skipping it'],
  ],
  [
    'a name excluded by name, unresolvable or not',
    ['gone.test', 'db.test'],
    ['gone.test', 'db.test'],
    [],
    ['exclusion gone.test did not resolve (no such name); only that name is excluded'],
  ],
  [
    'an exclusion name that does not resolve: warned',
    ['10.0.0.1'],
    ['nowhere.test'],
    ['10.0.0.1'],
    ['exclusion nowhere.test did not resolve (no such name); only that name is excluded'],
  ],
  ['everything excluded', ['10.0.0.0/24'], ['10.0.0.0/16'], [], []],
  ['nothing', [], [], [], []],
];
for (const [name, targets, excludes, want, wantWarnings] of cases) {
  test(`expandTargets yields ${name}`, async () => {
    const { got, warnings } = await collect(targets, excludes);
    assert.deepEqual(got, want);
    assert.deepEqual(warnings, wantWarnings);
  });
}

test('expandTargets names the @file line of a hostname that does not resolve', async () => {
  const specs = parseTargets(['@t.txt'], { readFile: () => '# hosts\n10.0.0.1 gone.test\n' });
  const warnings: string[] = [];
  const gen = expandTargets(specs, [], {
    signal: new AbortController().signal,
    resolve: fakeResolve,
    onWarning: (m) => warnings.push(m),
  });
  for await (const _ of gen) void _;
  assert.deepEqual(warnings, ['gone.test (t.txt:2) did not resolve (no such name); skipping it']);
});

test('expandTargets treats a resolver that throws synchronously as a failed name', async () => {
  const warnings: string[] = [];
  const resolve: Resolver = () => {
    throw new Error('resolver broke');
  };
  const got: Target[] = [];
  for await (const t of expandTargets(parseTargets(['x.test', '10.0.0.1']), [], {
    signal: new AbortController().signal,
    resolve,
    onWarning: (m) => warnings.push(m),
  })) {
    got.push(t);
  }
  assert.deepEqual(got, [{ address: '10.0.0.1', family: 4 }]);
  assert.deepEqual(warnings, ['x.test did not resolve (resolver broke); skipping it']);
});

async function take(gen: AsyncGenerator<Target>, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await gen.next();
    if (r.done) break;
    out.push(show(r.value));
  }
  return out;
}

test('expandTargets streams a /8 without materializing it', async () => {
  const before = process.memoryUsage().heapUsed;
  const gen = expandTargets(parseTargets(['10.0.0.0/8']), [], {
    signal: new AbortController().signal,
  });
  assert.deepEqual(await take(gen, 5), [
    '10.0.0.1',
    '10.0.0.2',
    '10.0.0.3',
    '10.0.0.4',
    '10.0.0.5',
  ]);
  // 16.7 million Target objects would take gigabytes; five take nothing measurable.
  assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024);
  assert.deepEqual(await take(gen, 2), ['10.0.0.6', '10.0.0.7']);
  await gen.return();
  assert.deepEqual(await gen.next(), { done: true, value: undefined });
});

test(
  'expandTargets streams ranges that could never be materialized (::/0, 0.0.0.0/0)',
  { timeout: 30_000 },
  async () => {
    const gen = expandTargets(parseTargets(['::/0', '0.0.0.0/0', 'a::/64']), [], {
      signal: new AbortController().signal,
    });
    assert.deepEqual(await take(gen, 3), ['0.0.0.1', '0.0.0.2', '0.0.0.3']);
    const tail = expandTargets(parseTargets(['::/0']), parseTargets(['::/1']), {
      signal: new AbortController().signal,
    });
    assert.deepEqual(await take(tail, 2), ['8000::', '8000::1']);
  },
);

test('expandTargets resolves hostnames only when first pulled', async () => {
  const asked: string[] = [];
  const resolve: Resolver = async (name) => {
    asked.push(name);
    return [{ address: '10.0.0.3', family: 4 }];
  };
  const gen = expandTargets(parseTargets(['db.test', '10.0.0.1']), [], {
    signal: new AbortController().signal,
    resolve,
  });
  assert.deepEqual(asked, []);
  assert.deepEqual(await take(gen, 1), ['10.0.0.1']);
  assert.deepEqual(asked, ['db.test']);
});

test('expandTargets ends when the signal aborts mid-range', async () => {
  const ac = new AbortController();
  const gen = expandTargets(parseTargets(['10.0.0.0/8', 'a::/64']), [], { signal: ac.signal });
  assert.deepEqual(await take(gen, 3), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  ac.abort();
  assert.deepEqual(await gen.next(), { done: true, value: undefined });
});

test('expandTargets yields nothing when the signal is already aborted', async () => {
  const gen = expandTargets(parseTargets(['10.0.0.0/24', 'db.test']), [], {
    signal: AbortSignal.abort(),
    resolve: fakeResolve,
  });
  assert.deepEqual(await gen.next(), { done: true, value: undefined });
});

test('expandTargets ends when aborted while a resolver never answers', async () => {
  const ac = new AbortController();
  let asked = 0;
  const gen = expandTargets(parseTargets(['10.0.0.1', 'slow.test']), [], {
    signal: ac.signal,
    resolve: () => {
      asked++;
      ac.abort(); // the abort arrives while the lookup is outstanding
      return new Promise<ResolvedAddress[]>(() => undefined);
    },
  });
  assert.deepEqual(await gen.next(), { done: true, value: undefined });
  assert.equal(asked, 1);
});
