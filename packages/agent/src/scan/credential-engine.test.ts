// Tests CredentialEngine: order by scope and affinity, the failed-login cap per account, reporting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProtocolAttempt, ProtocolStatus } from '@nopesight/model';
import type { Credential } from '../vault/credential-types.js';
import { accountOf, CredentialEngine, memoryAffinity } from './credential-engine.js';

const base = { createdAt: '', updatedAt: '' };
const ssh = (id: string, username: string, scope: string[] = []): Credential => ({
  ...base,
  id,
  name: id,
  kind: 'ssh',
  username,
  port: 22,
  sudo: 'none',
  scope,
});
/** A source that returns every credential (scope matching is the vault's job, tested there). */
const source = (creds: Credential[]) => ({ candidatesFor: () => creds });
const attempt = (status: ProtocolStatus, id: string): ProtocolAttempt => ({
  protocol: 'ssh',
  status,
  credentialId: id,
  durationMs: 1,
  error: null,
});
const ids = (cs: Credential[]): string[] => cs.map((c) => c.id);

test('scoped credentials come before unscoped ones; the order added breaks ties', () => {
  const engine = new CredentialEngine(
    source([ssh('any-1', 'a'), ssh('scoped', 'b', ['10.0.0.0/8']), ssh('any-2', 'c')]),
    memoryAffinity(),
  );
  assert.deepEqual(ids(engine.plan('ssh', '10.1.1.1').tryOrder), ['scoped', 'any-1', 'any-2']);
});

test('the credential that last worked on a host goes first within its group, and is remembered', () => {
  const affinity = memoryAffinity();
  const creds = [ssh('s1', 'a', ['10.1.1.1']), ssh('g1', 'b'), ssh('g2', 'c')];
  const first = new CredentialEngine(source(creds), affinity);
  first.record(creds[2]!, '10.1.1.1', attempt('success', 'g2'));
  // A later scan (a new engine) starts with what worked, after the scoped one.
  const next = new CredentialEngine(source(creds), affinity);
  assert.deepEqual(ids(next.plan('ssh', '10.1.1.1').tryOrder), ['s1', 'g2', 'g1']);
  assert.deepEqual(ids(next.plan('ssh', '10.9.9.9').tryOrder), ['s1', 'g1', 'g2']);
});

test('an account is skipped after 3 rejected logins in a scan, across credentials and hosts', () => {
  const creds = [ssh('root-old', 'root'), ssh('root-new', 'root'), ssh('ops', 'ops')];
  const engine = new CredentialEngine(source(creds), memoryAffinity());
  assert.equal(engine.record(creds[0]!, '10.0.0.1', attempt('unauthorized', 'root-old')), false);
  assert.equal(engine.record(creds[1]!, '10.0.0.1', attempt('unauthorized', 'root-new')), false);
  // Timeouts and closed ports lock nobody out: they do not count.
  engine.record(creds[0]!, '10.0.0.2', attempt('timeout', 'root-old'));
  engine.record(creds[0]!, '10.0.0.2', attempt('no_access', 'root-old'));
  assert.deepEqual(ids(engine.plan('ssh', '10.0.0.3').tryOrder), ['root-old', 'root-new', 'ops']);
  assert.equal(engine.record(creds[0]!, '10.0.0.3', attempt('unauthorized', 'root-old')), true);
  const plan = engine.plan('ssh', '10.0.0.4');
  assert.deepEqual(ids(plan.tryOrder), ['ops']);
  assert.deepEqual(ids(plan.skipped), ['root-old', 'root-new']);
  engine.plan('ssh', '10.0.0.5');
  assert.deepEqual(engine.skips(), [
    {
      account: 'ssh:root',
      credentialIds: ['root-old'],
      names: ['root-old'],
      failures: 3,
      hostsSkipped: 4,
    },
  ]);
});

test('the cap is configurable, and SNMP communities are not accounts', () => {
  const engine = new CredentialEngine(source([ssh('a', 'x')]), memoryAffinity(), {
    maxFailuresPerAccount: 1,
  });
  assert.equal(engine.record(ssh('a', 'x'), '10.0.0.1', attempt('unauthorized', 'a')), true);
  assert.deepEqual(ids(engine.plan('ssh', '10.0.0.2').skipped), ['a']);
  assert.equal(
    accountOf({ ...base, id: 'c', name: 'c', kind: 'snmp', version: '2c', port: 161, scope: [] }),
    null,
  );
  assert.equal(
    accountOf({
      ...base,
      id: 'w',
      name: 'w',
      kind: 'windows',
      username: 'Svc',
      domain: 'CORP',
      scope: [],
    }),
    'windows:corp\\svc',
  );
});

test('concurrent logins of one account never take it past the cap', () => {
  const creds = [ssh('root', 'root')];
  const engine = new CredentialEngine(source(creds), memoryAffinity(), {
    maxFailuresPerAccount: 2,
  });
  // Three hosts start at once: only two logins may be in flight for the account.
  assert.equal(engine.begin(creds[0]!), true);
  assert.equal(engine.begin(creds[0]!), true);
  assert.equal(engine.begin(creds[0]!), false);
  // One succeeds (releases its slot without a failure), one fails: one more may go.
  engine.record(creds[0]!, '10.0.0.1', attempt('success', 'root'));
  engine.record(creds[0]!, '10.0.0.2', attempt('unauthorized', 'root'));
  assert.equal(engine.begin(creds[0]!), true);
  engine.record(creds[0]!, '10.0.0.3', attempt('unauthorized', 'root'));
  assert.equal(engine.begin(creds[0]!), false);
  assert.deepEqual(ids(engine.plan('ssh', '10.0.0.4').skipped), ['root']);
  assert.equal(engine.skips()[0]?.failures, 2);
});
