// Tests for forwardConfirm and NameConfirmer against an in-process DNS server on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { forwardConfirm, MAX_CONFIRMED_NAMES, NameConfirmer } from './forward-confirm.js';
import { TestDnsServer } from './testdata/dns-server.js';
import { isCode } from '../../../../../test/support/errors.js';

describe('forwardConfirm', () => {
  let dns: TestDnsServer;
  before(async () => {
    dns = await TestDnsServer.start(
      {
        'win1.lab.test': { A: ['198.18.0.30', '198.18.0.31'] },
        'elsewhere.lab.test': { A: ['198.18.0.99'] },
        'v6only.lab.test': { AAAA: ['2001:db8::30'] },
        'v6.lab.test': { AAAA: ['2001:db8:0:0::30'] },
        ...Object.fromEntries(
          ['n1', 'n2', 'n3', 'n4', 'n5'].map((n) => [`${n}.lab.test`, { A: ['198.18.0.30'] }]),
        ),
      },
      ['slow.lab.test'],
    );
  });
  after(() => dns.close());
  const ctx = (timeoutMs = 2000) => ({
    signal: new AbortController().signal,
    timeoutMs,
    servers: [dns.server],
  });

  test('forwardConfirm keeps a PTR name whose A records include the address', async () => {
    const r = await forwardConfirm('198.18.0.30', ['WIN1.lab.test.'], ctx());
    assert.deepEqual(r, { confirmed: ['win1.lab.test'], unconfirmed: [] });
  });

  test('forwardConfirm refuses names that resolve elsewhere, not at all, or lack the record', async () => {
    const r = await forwardConfirm(
      '198.18.0.30',
      ['elsewhere.lab.test', 'nowhere.lab.test', 'v6only.lab.test'],
      ctx(),
    );
    assert.deepEqual(r.confirmed, []);
    assert.deepEqual(r.unconfirmed, [
      { name: 'elsewhere.lab.test', reason: 'its A records do not include 198.18.0.30' },
      { name: 'nowhere.lab.test', reason: 'the name does not exist' },
      { name: 'v6only.lab.test', reason: 'no A record' },
    ]);
  });

  test('forwardConfirm asks AAAA for an IPv6 address and compares addresses, not text', async () => {
    const r = await forwardConfirm('2001:0db8::0030', ['v6.lab.test'], ctx());
    assert.deepEqual(r.confirmed, ['v6.lab.test']);
    assert.ok(dns.queries.includes('v6.lab.test AAAA'));
  });

  test('forwardConfirm looks up at most four names and never ones that are not host names', async () => {
    const before = dns.queries.length;
    const names = ['n1', 'n2', 'n3', 'n4', 'n5'].map((n) => `${n}.lab.test`);
    const r = await forwardConfirm('198.18.0.30', ['198.18.0.30', 'bad name', ...names], ctx());
    assert.equal(MAX_CONFIRMED_NAMES, 4);
    assert.deepEqual(r.confirmed, names.slice(0, 4));
    assert.deepEqual(
      r.unconfirmed.map((u) => u.name),
      ['198.18.0.30', 'bad name', 'n5.lab.test'],
    );
    assert.match(r.unconfirmed[2]!.reason, /first 4 names/);
    assert.equal(dns.queries.length - before, 4);
  });

  test('forwardConfirm reports a silent server as no answer, within its deadline', async () => {
    const r = await forwardConfirm('198.18.0.30', ['slow.lab.test', 'win1.lab.test'], ctx(300));
    assert.deepEqual(r.confirmed, ['win1.lab.test']);
    assert.deepEqual(r.unconfirmed, [{ name: 'slow.lab.test', reason: 'no answer within 300 ms' }]);
  });

  test('forwardConfirm rejects an abort, a bad server list and a name for an address', async () => {
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(
      forwardConfirm('198.18.0.30', ['win1.lab.test'], { ...ctx(), signal: aborted.signal }),
      isCode('ERR_ABORTED'),
    );
    const during = new AbortController();
    const pending = forwardConfirm('198.18.0.30', ['slow.lab.test'], {
      ...ctx(),
      signal: during.signal,
    });
    during.abort();
    await assert.rejects(pending, isCode('ERR_ABORTED'));
    await assert.rejects(
      forwardConfirm('198.18.0.30', ['win1.lab.test'], { ...ctx(), servers: ['not a server'] }),
      isCode('ERR_CONFIG_INVALID'),
    );
    await assert.rejects(
      forwardConfirm('win1.lab.test', ['win1.lab.test'], ctx()),
      isCode('ERR_TARGET_INVALID'),
    );
  });

  test('NameConfirmer asks once per address and names, and again after a failure', async () => {
    const confirmer = new NameConfirmer({ timeoutMs: 2000, servers: [dns.server] });
    const signal = new AbortController().signal;
    const count = () => dns.queries.filter((q) => q === 'n1.lab.test A').length;
    const before = count();
    const [a, b] = await Promise.all([
      confirmer.confirm('198.18.0.30', ['n1.lab.test'], signal),
      confirmer.confirm('198.18.0.30', ['n1.lab.test'], signal),
    ]);
    assert.deepEqual(a, b);
    assert.equal(count() - before, 1);
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(
      confirmer.confirm('198.18.0.31', ['n1.lab.test'], aborted.signal),
      isCode('ERR_ABORTED'),
    );
    const again = await confirmer.confirm('198.18.0.31', ['n1.lab.test'], signal);
    assert.deepEqual(
      again.unconfirmed.map((u) => u.name),
      ['n1.lab.test'],
    );
    assert.equal(count() - before, 2);
  });
});
