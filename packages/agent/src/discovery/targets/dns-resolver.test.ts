// Tests for the default resolver: fake lookups for outside names, a real lookup of localhost only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode, type ErrorCode } from '../../errors.js';
import { createDnsResolver, type LookupAll } from './dns-resolver.js';

const never: LookupAll = () => new Promise(() => undefined);
const notFound: LookupAll = async (name) => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};

const failures: [string, LookupAll, () => AbortSignal, ErrorCode, string][] = [
  [
    'an unknown name',
    notFound,
    () => new AbortController().signal,
    'ERR_UNREACHABLE',
    'no such name',
  ],
  [
    'a lookup that never answers',
    never,
    () => new AbortController().signal,
    'ERR_TIMEOUT',
    'timed out after 1 ms',
  ],
  ['an aborted signal', never, () => AbortSignal.abort(), 'ERR_ABORTED', 'was aborted'],
];
for (const [name, lookup, signal, code, want] of failures) {
  test(`createDnsResolver reports ${name} as ${code}`, async () => {
    const resolve = createDnsResolver({ lookup, timeoutMs: 1 });
    await assert.rejects(resolve('db.test', signal()), (err: unknown) => {
      assert.ok(hasCode(err, code), String(err));
      assert.ok((err as Error).message.includes('db.test'));
      assert.ok((err as Error).message.includes(want), (err as Error).message);
      return true;
    });
  });
}

test('createDnsResolver returns every address with its family and asks for all', async () => {
  const calls: unknown[] = [];
  const lookup: LookupAll = async (name, options) => {
    calls.push([name, options]);
    return [
      { address: '2001:db8::5', family: 6 },
      { address: '192.0.2.5', family: 4 },
    ];
  };
  const resolve = createDnsResolver({ lookup });
  assert.deepEqual(await resolve('db.test', new AbortController().signal), [
    { address: '2001:db8::5', family: 6 },
    { address: '192.0.2.5', family: 4 },
  ]);
  assert.deepEqual(calls, [['db.test', { all: true }]]);
});

test('createDnsResolver resolves localhost for real', async () => {
  const found = await createDnsResolver()('localhost', new AbortController().signal);
  assert.ok(
    found.some((a) => a.address === '127.0.0.1' || a.address === '::1'),
    JSON.stringify(found),
  );
});
