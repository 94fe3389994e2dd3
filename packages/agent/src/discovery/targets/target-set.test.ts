// Tests for compileTargetSet membership and resolveSpecs (with a fake resolver, no real DNS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../../errors.js';
import type { ResolvedAddress } from './dns-resolver.js';
import { parseTargets } from './parse-targets.js';
import { compileTargetSet, resolveSpecs } from './target-set.js';

const set = compileTargetSet(
  parseTargets(['10.0.0.0/24', '198.18.1.10-20', '192.0.2.7', 'a::/120', 'db1.example.com']),
);
const membership: [string, boolean][] = [
  ['10.0.0.0', true], // CIDRs match whole, network included
  ['10.0.0.255', true],
  ['10.0.1.0', false],
  ['198.18.1.9', false],
  ['198.18.1.10', true],
  ['198.18.1.20', true],
  ['198.18.1.21', false],
  ['192.0.2.7', true],
  ['::ffff:192.0.2.7', true],
  ['a::ff', true],
  ['a::100', false],
  ['db1.example.com', false], // hostnames match only once resolved
  ['not an address', false],
  ['', false],
];
for (const [address, want] of membership) {
  test(`compileTargetSet.contains(${JSON.stringify(address)}) is ${want}`, () => {
    assert.equal(set.contains(address), want);
  });
}

test('compileTargetSet.matches uses the address or the hostname, any case', () => {
  assert.equal(
    set.matches({ address: '203.0.113.1', family: 4, hostname: 'DB1.example.com.' }),
    true,
  );
  assert.equal(
    set.matches({ address: '203.0.113.1', family: 4, hostname: 'db2.example.com' }),
    false,
  );
  assert.equal(set.matches({ address: '10.0.0.9', family: 4 }), true);
  assert.equal(compileTargetSet([]).matches({ address: '10.0.0.9', family: 4 }), false);
});

const zone: Record<string, ResolvedAddress[]> = {
  'db1.example.com': [
    { address: '203.0.113.5', family: 4 },
    { address: '2001:db8::5', family: 6 },
  ],
  'mapped.example.com': [{ address: '::ffff:203.0.113.9', family: 6 }],
};
const fakeResolve = async (name: string): Promise<ResolvedAddress[]> => {
  const found = zone[name];
  if (!found) throw new Error(`${name}: no such name`);
  return found;
};

test('resolveSpecs adds every resolved address and warns about names that do not resolve', async () => {
  const warnings: string[] = [];
  const specs = await resolveSpecs(
    parseTargets(['db1.example.com', 'gone.example.com', 'mapped.example.com', '10.0.0.1']),
    {
      signal: new AbortController().signal,
      resolve: fakeResolve,
      onWarning: (m) => warnings.push(m),
    },
  );
  const scope = compileTargetSet(specs);
  for (const address of ['203.0.113.5', '2001:db8::5', '203.0.113.9', '10.0.0.1']) {
    assert.equal(scope.contains(address), true, address);
  }
  assert.equal(scope.contains('203.0.113.6'), false);
  assert.equal(
    scope.matches({ address: '198.51.100.1', family: 4, hostname: 'gone.example.com' }),
    true,
  );
  assert.deepEqual(warnings, ['gone.example.com did not resolve (gone.example.com: no such name)']);
  const added = specs.filter((s) => s.kind === 'address' && s.hostname === 'db1.example.com');
  assert.equal(added.length, 2);
});

test('resolveSpecs rejects with ERR_ABORTED when the signal aborts', async () => {
  const ac = new AbortController();
  const pending = resolveSpecs(parseTargets(['slow.example.com']), {
    signal: ac.signal,
    resolve: () => new Promise<ResolvedAddress[]>(() => undefined), // never answers
  });
  ac.abort();
  await assert.rejects(pending, (err: unknown) => hasCode(err, 'ERR_ABORTED'));
});
