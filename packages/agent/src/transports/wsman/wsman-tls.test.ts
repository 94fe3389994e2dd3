// Tests for connectTrusted's certificate judgement by name: a CA-issued certificate that names the
// host's DNS name (win1.lab.test, testdata/names-*.pem) is accepted on 127.0.0.1 only when that
// name is among the forward-confirmed ones; pins ignore names. Loopback TLS servers only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ScannerError } from '../../errors.js';
import {
  certFingerprint,
  connectTrusted,
  parseCertificateBundle,
  type TlsCertificateFacts,
  type WinrmTlsTrust,
} from './wsman-tls.js';

const testdata = (name: string) =>
  readFileSync(new URL(`testdata/${name}`, import.meta.url), 'utf8');
const CA = testdata('names-ca.pem');
const CERT = testdata('names-server-cert.pem');
const KEY = testdata('names-server-key.pem');
const PEER_CERT = testdata('peer-cert.pem');
const PEER_KEY = testdata('peer-key.pem');
const CERT_FP = certFingerprint(parseCertificateBundle(CERT)[0]!.raw);

/**
 * A TLS server on 127.0.0.1 that records the SNI names (during the handshake, so before the
 * client has judged the certificate).
 */
async function tlsServer(cert: string, key: string) {
  const sni: string[] = [];
  const SNICallback = (name: string, cb: (err: Error | null) => void) => {
    sni.push(name);
    cb(null);
  };
  const server: Server = createServer({ cert, key, SNICallback }, (s: TLSSocket) =>
    s.on('error', () => undefined),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    sni,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

type Verdict = { facts: TlsCertificateFacts } | { error: ScannerError };

function judge(port: number, trust: WinrmTlsTrust): Promise<Verdict> {
  return new Promise((resolve) => {
    connectTrusted({ host: '127.0.0.1', port, trust, timeoutMs: 5000 }, (err, socket, facts) => {
      socket?.destroy();
      if (err) {
        assert.ok(err instanceof ScannerError, String(err));
        resolve({ error: err });
      } else resolve({ facts: facts! });
    });
  });
}

function refusal(v: Verdict): ScannerError {
  assert.ok('error' in v, 'refused');
  assert.equal(v.error.code, 'ERR_TLS_UNTRUSTED');
  return v.error;
}

describe('connectTrusted with a CA-issued certificate that names a DNS name', () => {
  let named: Awaited<ReturnType<typeof tlsServer>>;
  let byAddress: Awaited<ReturnType<typeof tlsServer>>;
  before(async () => {
    named = await tlsServer(CERT, KEY);
    byAddress = await tlsServer(PEER_CERT, PEER_KEY);
  });
  after(async () => {
    await named.close();
    await byAddress.close();
  });

  it('accepts it for a forward-confirmed name, reports that name and sends it as SNI', async () => {
    const v = await judge(named.port, { ca: CA, names: ['other.lab.test', 'win1.lab.test'] });
    assert.ok('facts' in v, 'error' in v ? v.error.message : '');
    assert.equal(v.facts.trust, 'ca');
    assert.equal(v.facts.name, 'win1.lab.test');
    assert.equal(v.facts.fingerprint, CERT_FP);
    assert.equal(named.sni.at(-1), 'other.lab.test');
  });

  it('refuses it when the name was not forward-confirmed, listing the name and why', async () => {
    const err = refusal(
      await judge(named.port, {
        ca: CA,
        names: [],
        unconfirmedNames: [
          { name: 'win1.lab.test', reason: 'its A records do not include 127.0.0.1' },
        ],
      }),
    );
    assert.match(
      err.message,
      /does not name 127\.0\.0\.1; not tried, as not forward-confirmed: win1\.lab\.test \(its A records do not include 127\.0\.0\.1\)/,
    );
    assert.ok(err.message.includes(`--winrm-cert-fingerprint ${CERT_FP}`));
  });

  it('refuses it when no DNS name is known, or the confirmed ones are not in it, naming them', async () => {
    const none = refusal(await judge(named.port, { ca: CA, names: [] }));
    assert.match(none.message, /does not name 127\.0\.0\.1 \(no DNS name of it is known\)/);
    assert.match(none.message, /names DNS:win1\.lab\.test/);
    const other = refusal(await judge(named.port, { ca: CA, names: ['win2.lab.test'] }));
    assert.match(
      other.message,
      /does not name 127\.0\.0\.1 nor its forward-confirmed DNS name win2\.lab\.test/,
    );
  });

  it('still needs the chain: a confirmed name does not help a certificate of another CA', async () => {
    const err = refusal(await judge(named.port, { ca: PEER_CERT, names: ['win1.lab.test'] }));
    assert.match(err.message, /its issuer is not a trusted CA/);
    refusal(await judge(named.port, { names: ['win1.lab.test'] }));
  });

  it('accepts a certificate that names the address for the address, as before', async () => {
    const v = await judge(byAddress.port, { ca: PEER_CERT, names: ['win1.lab.test'] });
    assert.ok('facts' in v);
    assert.equal(v.facts.name, '127.0.0.1');
    assert.deepEqual(byAddress.sni, ['win1.lab.test']);
    // No name: no SNI, an address cannot be one.
    await judge(byAddress.port, { ca: PEER_CERT });
    assert.deepEqual(byAddress.sni, ['win1.lab.test']);
  });

  it('pins decide alone: names neither add trust nor take it away', async () => {
    const pinned = await judge(named.port, { fingerprints: [CERT_FP] });
    assert.ok('facts' in pinned);
    assert.equal(pinned.facts.trust, 'pinned');
    assert.equal(pinned.facts.name, undefined);
    const otherPin = certFingerprint(parseCertificateBundle(PEER_CERT)[0]!.raw);
    refusal(
      await judge(named.port, { ca: CA, fingerprints: [otherPin], names: ['win1.lab.test'] }),
    );
  });
});
