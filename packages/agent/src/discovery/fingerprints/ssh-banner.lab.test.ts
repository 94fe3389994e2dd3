// Lab tests: SSH fingerprints of the lab's real sshd, the bulk hosts and a dropping address.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bulkAddress, DROP_CIDR, DROP_FIRST, HOSTS } from '../../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../../test/lab/lab.js';
import { ScannerError } from '../../errors.js';
import { fingerprintPort, openPortFromFingerprint } from './fingerprint-port.js';
import { readSshBanner } from './ssh-banner.js';

const ctx = (timeoutMs = 5000): { signal: AbortSignal; timeoutMs: number } => ({
  signal: new AbortController().signal,
  timeoutMs,
});

describe('SSH fingerprints in the lab', labOnly(), () => {
  test('readSshBanner reads the lab sshd identification line', async () => {
    const banner = await readSshBanner(HOSTS.ssh, 22, ctx());
    assert.equal(banner.protoVersion, '2.0');
    assert.match(banner.software, /^OpenSSH_\d+\.\d+/);
    assert.match(banner.banner, /^SSH-2\.0-OpenSSH_\S+/);
    assert.equal(banner.preamble, undefined);
  });

  test('fingerprintPort maps the lab sshd on 22 to an ssh OpenPort with its banner', async () => {
    const fp = await fingerprintPort(HOSTS.ssh, 22, ctx());
    assert.deepEqual(fp.errors, []);
    const open = openPortFromFingerprint(fp);
    assert.equal(open.service, 'ssh');
    assert.equal(open.proto, 'tcp');
    assert.match(open.banner ?? '', /^SSH-2\.0-OpenSSH_/);
  });

  test('readSshBanner reads the bulk responder banner', async () => {
    const banner = await readSshBanner(bulkAddress(0), 22, ctx());
    assert.deepEqual(banner, {
      banner: 'SSH-2.0-OpenSSH_9.2p1 NopeSightLabBulk',
      protoVersion: '2.0',
      software: 'OpenSSH_9.2p1',
      comments: 'NopeSightLabBulk',
    });
  });

  test('readSshBanner reports a closed port on a live host as unreachable', async () => {
    await assert.rejects(readSshBanner(HOSTS.ssh, 23, ctx()), (err) => {
      assert.ok(err instanceof ScannerError);
      assert.equal(err.code, 'ERR_UNREACHABLE');
      return true;
    });
  });

  test('readSshBanner times out in the connect phase on an address that drops everything', async () => {
    const dropped = DROP_CIDR.replace(/\.0\/24$/, `.${DROP_FIRST}`);
    await assert.rejects(readSshBanner(dropped, 22, ctx(500)), (err) => {
      assert.ok(err instanceof ScannerError);
      assert.equal(err.code, 'ERR_TIMEOUT');
      assert.match(err.message, /connect phase exceeded its 500 ms limit/);
      return true;
    });
  });
});
