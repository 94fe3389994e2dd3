// WinRM over HTTPS against the WS-Man peer's self-signed certificate: untrusted by default (the
// error names it), trusted through a CA bundle or a fingerprint pin, a wrong pin refused before a
// byte is written, and Basic never sent over HTTP.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import {
  PEER_CERT,
  WsmanTestPeer,
  type PeerOptions,
} from '../../../../../test/support/wsman-peer.js';
import { ScannerError } from '../../errors.js';
import { enumerateEnvelope, wmiResourceUri } from './wsman-envelope.js';
import { certFingerprint, normaliseCertFingerprint, parseCertificateBundle } from './wsman-tls.js';
import { WsmanTransport, type WsmanTransportOptions } from './wsman-transport.js';

const CREDS = { username: 'scanner', password: 'S3cret-pass', domain: 'PEER' };
const PEER_KEY = readFileSync(new URL('testdata/peer-key.pem', import.meta.url), 'utf8');
/** The peer certificate's fingerprint, computed here independently of wsman-tls.ts. */
const PEER_FP = `SHA256:${new X509Certificate(PEER_CERT).fingerprint256}`;
const OTHER_FP = `SHA256:${'AB:'.repeat(31)}AB`;
const BASIC = { kind: 'basic', username: CREDS.username, password: CREDS.password } as const;
const NTLM = { kind: 'ntlm', credentials: CREDS } as const;

const signal = () => new AbortController().signal;

function envelope(t: WsmanTransport): string {
  return enumerateEnvelope(
    {
      to: t.endpoint,
      resourceUri: wmiResourceUri('root/cimv2'),
      messageId: 'uuid:11111111-2222-3333-4444-555555555555',
      operationTimeoutSec: 20,
      maxEnvelopeSize: 153600,
      locale: 'en-US',
    },
    'SELECT * FROM Win32_Service',
    32,
  );
}

function transport(
  port: number,
  o: Partial<WsmanTransportOptions> & Pick<WsmanTransportOptions, 'auth'>,
): WsmanTransport {
  return new WsmanTransport({
    host: '127.0.0.1',
    port,
    https: true,
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
    ...o,
  });
}

async function sendOnce(t: WsmanTransport): Promise<string> {
  try {
    return await t.send(envelope(t), signal());
  } finally {
    t.close();
  }
}

async function refusal(t: WsmanTransport): Promise<ScannerError> {
  const err = await sendOnce(t).then(
    () => assert.fail('the request was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ScannerError, String(err));
  return err;
}

function peerOptions(auth: PeerOptions['auth']): PeerOptions {
  return {
    https: true,
    auth,
    username: CREDS.username,
    password: CREDS.password,
    instances: { Win32_Service: ['<p:Win32_Service><p:Name>Spooler</p:Name></p:Win32_Service>'] },
    pageSize: 8,
  };
}

describe('normaliseCertFingerprint and parseCertificateBundle', () => {
  it('takes the common spellings of a SHA-256 fingerprint and gives one form', () => {
    const hex = PEER_FP.slice('SHA256:'.length);
    for (const given of [PEER_FP, hex, hex.toLowerCase(), hex.replace(/:/g, ''), ` sha256=${hex} `])
      assert.equal(normaliseCertFingerprint(given), PEER_FP);
    assert.equal(certFingerprint(new X509Certificate(PEER_CERT).raw), PEER_FP);
  });

  it('names a SHA-1 thumbprint as such and refuses other lengths or non-hex', () => {
    assert.throws(() => normaliseCertFingerprint('a'.repeat(40)), /SHA-1 thumbprint/);
    assert.throws(() => normaliseCertFingerprint('ab:cd'), /not a SHA-256 fingerprint/);
    assert.throws(() => normaliseCertFingerprint('zz'.repeat(32)), /not a hexadecimal/);
  });

  it('reads every certificate of a bundle and refuses text without one or a broken one', () => {
    assert.equal(parseCertificateBundle(`junk\n${PEER_CERT}\n${PEER_CERT}`).length, 2);
    assert.throws(() => parseCertificateBundle('hello'), /no PEM certificate/);
    const broken = PEER_CERT.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    assert.throws(() => parseCertificateBundle(broken), /does not parse/);
  });
});

describe('WsmanTransport over HTTPS: certificate trust', () => {
  let basicPeer: WsmanTestPeer;
  let ntlmPeer: WsmanTestPeer;
  before(async () => {
    basicPeer = await WsmanTestPeer.start(peerOptions('basic'));
    ntlmPeer = await WsmanTestPeer.start(peerOptions('ntlm'));
  });
  after(async () => {
    await basicPeer.stop();
    await ntlmPeer.stop();
  });

  it('refuses the self-signed certificate by default, naming it and the option to pin it', async () => {
    const before = basicPeer.requests.length;
    const err = await refusal(transport(basicPeer.port, { auth: BASIC }));
    assert.equal(err.code, 'ERR_TLS_UNTRUSTED');
    assert.match(err.message, /self-signed/);
    assert.match(err.message, /subject CN=wsman-test-peer/);
    assert.match(err.message, /issuer CN=wsman-test-peer/);
    assert.ok(err.message.includes(`--winrm-cert-fingerprint ${PEER_FP}`), err.message);
    assert.match(err.message, /--winrm-ca/);
    assert.ok(!err.message.includes(CREDS.password));
    assert.equal(basicPeer.requests.length, before, 'no request reached the peer');
  });

  it('trusts the certificate through a CA bundle holding it (Basic and NTLM)', async () => {
    const t = transport(basicPeer.port, { auth: BASIC, ca: PEER_CERT });
    const t2 = transport(ntlmPeer.port, { auth: NTLM, ca: PEER_CERT });
    const answers = [await sendOnce(t), await sendOnce(t2)];
    for (const a of answers) assert.match(a, /EnumerateResponse/);
    assert.deepEqual(
      [t.tls?.trust, t.tls?.fingerprint, t.tls?.subject],
      ['ca', PEER_FP, 'CN=wsman-test-peer'],
    );
    assert.equal(basicPeer.requests.at(-1)?.action, 'Enumerate');
  });

  it('with a CA bundle, refuses a certificate that does not name the address', async () => {
    // The certificate names 127.0.0.1 only; `localhost` resolves there but is not in it.
    const err = await refusal(
      transport(basicPeer.port, { host: 'localhost', auth: BASIC, ca: PEER_CERT }),
    );
    assert.equal(err.code, 'ERR_TLS_UNTRUSTED');
    assert.match(err.message, /does not name localhost/);
    assert.match(err.message, /CA bundle \(--winrm-ca\)/);
  });

  it('with the right pin, accepts the certificate (chain and names unchecked)', async () => {
    const t = transport(basicPeer.port, {
      host: 'localhost',
      auth: BASIC,
      certFingerprints: [OTHER_FP, PEER_FP],
    });
    assert.match(await sendOnce(t), /EnumerateResponse/);
    assert.equal(t.tls?.trust, 'pinned');
    assert.equal(basicPeer.requests.at(-1)?.authorization?.startsWith('Basic '), true);
    const n = transport(ntlmPeer.port, { auth: NTLM, certFingerprints: [PEER_FP] });
    assert.match(await sendOnce(n), /EnumerateResponse/);
  });

  it('with a CA bundle and a pin, the pin decides', async () => {
    const err = await refusal(
      transport(basicPeer.port, { auth: BASIC, ca: PEER_CERT, certFingerprints: [OTHER_FP] }),
    );
    assert.equal(err.code, 'ERR_TLS_UNTRUSTED');
  });
});

describe('WsmanTransport: nothing is sent to a server it does not trust', () => {
  let tls: ReturnType<typeof createTlsServer>;
  let received = 0;
  let port = 0;
  before(async () => {
    // A TLS server with the peer's certificate that counts the application bytes it receives.
    tls = createTlsServer({ cert: PEER_CERT, key: PEER_KEY }, (s) => {
      s.on('data', (c: Buffer) => (received += c.length));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    port = (tls.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => tls.close(() => r())));

  it('a wrong pin is refused after the handshake and before the request (Basic header included)', async () => {
    const err = await refusal(transport(port, { auth: BASIC, certFingerprints: [OTHER_FP] }));
    assert.equal(err.code, 'ERR_TLS_UNTRUSTED');
    assert.ok(err.message.includes(PEER_FP), 'names the certificate it saw');
    assert.ok(err.message.includes(OTHER_FP), 'names the pin it expected');
    assert.match(err.message, /refused before sending anything/);
    assert.equal(received, 0);
  });

  it('an untrusted certificate under NTLM is refused before NEGOTIATE', async () => {
    const err = await refusal(transport(port, { auth: NTLM }));
    assert.equal(err.code, 'ERR_TLS_UNTRUSTED');
    assert.equal(received, 0);
  });
});

describe('WsmanTransport: Basic is never sent over HTTP', () => {
  let plain: Server;
  let connections = 0;
  let port = 0;
  before(async () => {
    plain = createNetServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    port = (plain.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => plain.close(() => r())));

  it('refuses to be built for Basic over HTTP, so no connection is opened', () => {
    assert.throws(
      () => transport(port, { https: false, auth: BASIC }),
      (e: unknown) =>
        e instanceof ScannerError &&
        e.code === 'ERR_CONFIG_INVALID' &&
        /only sent over HTTPS/.test(e.message),
    );
    assert.equal(connections, 0);
  });
});
