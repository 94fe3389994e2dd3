// Tests of the fping output parser on captured output, and of the prober's graceful fallback.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { FpingProber, isFpingPermissionError, parseFpingOutput } from './icmp.js';

const data = (name: string): string =>
  readFileSync(new URL(`./testdata/fping/${name}`, import.meta.url), 'utf8');

it('parseFpingOutput reads alive hosts with their RTT and unreachable ones', () => {
  const r = parseFpingOutput(data('mixed.stdout.txt'));
  assert.equal(r.size, 7);
  assert.deepEqual(r.get('198.18.4.1'), { alive: true, rttMs: 0.064 });
  assert.deepEqual(r.get('198.18.0.10'), { alive: true, rttMs: 0.037 });
  assert.deepEqual(r.get('198.18.1.1'), { alive: false, rttMs: null });
  assert.deepEqual(r.get('198.19.0.5'), { alive: false, rttMs: null });
});

it('parseFpingOutput ignores ICMP error reports from routers', () => {
  assert.equal(parseFpingOutput(data('icmp-errors.stderr.txt')).size, 0);
});

it('isFpingPermissionError recognises fping without raw-socket rights', () => {
  assert.equal(isFpingPermissionError(data('noperm.stderr.txt')), true);
  assert.equal(isFpingPermissionError(data('icmp-errors.stderr.txt')), false);
});

it('FpingProber resolves null and stops trying when fping is missing', async () => {
  const ac = new AbortController();
  const p = new FpingProber({
    timeoutMs: 100,
    command: '/nonexistent/fping',
    signal: ac.signal,
  });
  const [a, b] = await Promise.all([p.ping('127.0.0.1'), p.ping('127.0.0.2')]);
  assert.equal(a, null);
  assert.equal(b, null);
  assert.equal(p.usable, false);
  assert.equal(await p.ping('127.0.0.3'), null);
  ac.abort();
});

it('FpingProber resolves pending pings with null on abort', async () => {
  const ac = new AbortController();
  const p = new FpingProber({ timeoutMs: 100, lingerMs: 60_000, signal: ac.signal });
  const pending = p.ping('127.0.0.1');
  ac.abort();
  assert.equal(await pending, null);
});
