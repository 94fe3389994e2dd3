// Lab tests: TLS, HTTP and vSphere fingerprints of the lab's vCenter simulator and the bulk hosts.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { bulkAddress, HOSTS, VCENTER_TLS } from '../../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../../test/lab/lab.js';
import { fingerprintPort } from './fingerprint-port.js';
import { probeHttp } from './http-probe.js';
import { readTlsCertificate } from './tls-certificate.js';
import { probeVsphere } from './vsphere-about.js';

const ctx = (timeoutMs = 8000): { signal: AbortSignal; timeoutMs: number } => ({
  signal: new AbortController().signal,
  timeoutMs,
});

describe('vSphere, TLS and HTTP fingerprints in the lab', labOnly(), () => {
  test('probeVsphere reads vCenter about from the lab simulator', async () => {
    const about = await probeVsphere(HOSTS.vcenter, 443, ctx());
    assert.ok(about, 'the simulator answered as vSphere');
    assert.equal(about.apiType, 'VirtualCenter');
    assert.equal(about.name, 'VMware vCenter Server');
    assert.equal(about.productLineId, 'vpx');
    assert.match(about.fullName, /^VMware vCenter Server \S+ build-\d+$/);
    assert.match(about.apiVersion, /^\d+\.\d+/);
    assert.match(about.instanceUuid ?? '', /^[0-9a-f-]{36}$/);
  });

  test('readTlsCertificate reads the certificate lab.sh made for the simulator', async () => {
    const onDisk = new X509Certificate(readFileSync(VCENTER_TLS.certPath));
    const facts = await readTlsCertificate(HOSTS.vcenter, 443, {}, ctx());
    assert.equal(facts.fingerprintSha256, onDisk.fingerprint256);
    assert.equal(facts.selfSigned, VCENTER_TLS.selfSigned);
    assert.match(
      facts.subject,
      new RegExp(`(^|,)CN=${VCENTER_TLS.commonName.replace('.', '\\.')}(,|$)`),
    );
    assert.ok(
      facts.subjectAltNames.includes(`IP:${HOSTS.vcenter}`),
      facts.subjectAltNames.join(' '),
    );
    assert.match(facts.protocol ?? '', /^TLSv1\.[23]$/);
  });

  test('probeHttp in plain HTTP to the simulator learns that it wants TLS', async () => {
    const facts = await probeHttp(HOSTS.vcenter, 443, { tls: false }, ctx());
    assert.equal(facts.status, 400);
    assert.equal(facts.tlsRequired, true);
  });

  test('fingerprintPort names the simulator on 443 vsphere with its full name as banner', async () => {
    const fp = await fingerprintPort(HOSTS.vcenter, 443, ctx());
    assert.deepEqual(fp.errors, []);
    assert.equal(fp.service, 'vsphere');
    assert.equal(fp.banner, fp.vsphere?.fullName);
    assert.equal(fp.http?.overTls, true);
    assert.ok(fp.tls);
  });

  test('fingerprintPort keeps going on bulk hosts whose 443 and 5985 accept and drop', async () => {
    // bulkOpenPorts: 443 where the last octet is even, 5985 where it divides by 10 (198.18.4.10).
    const host = bulkAddress(9);
    for (const port of [443, 5985]) {
      const fp = await fingerprintPort(host, port, ctx(3000));
      assert.equal(fp.service, port === 443 ? 'https' : 'wsman');
      assert.ok(fp.errors.length > 0, `${port}: the dropped connection is recorded`);
      for (const e of fp.errors) assert.equal(e.code, 'ERR_PROTOCOL', e.message);
    }
  });
});
