// Tests for certificate facts (PEMs in testdata/tls) and readTlsCertificate against real local peers.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { TlsFacts } from '@nopesight/model';
import { TlsMismatchError } from './http-probe-request.js';
import { readTlsCertificate } from './tls-certificate.js';
import {
  parseSubjectAltNames,
  rfc4514Name,
  tlsFactsFromCertificate,
} from './tls-certificate-parse.js';
import { isCode, probeCtx as ctx } from '../../../../../test/support/errors.js';

const dir = new URL('./testdata/tls/', import.meta.url);
const pem = (name: string): Buffer => readFileSync(new URL(name, dir));
const { cases } = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as {
  cases: { file: string; expect: TlsFacts }[];
};

describe('tlsFactsFromCertificate', () => {
  for (const c of cases) {
    test(`tlsFactsFromCertificate reads ${c.file}`, () => {
      assert.deepEqual(tlsFactsFromCertificate(new X509Certificate(pem(c.file))), c.expect);
    });
  }

  test('tlsFactsFromCertificate records the negotiated protocol when given', () => {
    const facts = tlsFactsFromCertificate(new X509Certificate(pem('ca-rsa.pem')), 'TLSv1.2');
    assert.equal(facts.protocol, 'TLSv1.2');
  });

  test('rfc4514Name reverses node RDN lines and joins multi-valued RDNs with +', () => {
    assert.equal(
      rfc4514Name('C=US\nO=Acme\\, Inc.\nOU=IT + OU=Ops\nCN=x'),
      'CN=x,OU=IT+OU=Ops,O=Acme\\, Inc.,C=US',
    );
    assert.equal(rfc4514Name(undefined), '');
  });

  test('parseSubjectAltNames splits outside the quotes node puts around odd values', () => {
    assert.deepEqual(
      parseSubjectAltNames('DNS:"a, b", DNS:c, URI:"http://x/\\"q\\"", IP Address:10.0.0.1'),
      ['DNS:a, b', 'DNS:c', 'URI:http://x/"q"', 'IP:10.0.0.1'],
    );
    assert.deepEqual(parseSubjectAltNames(undefined), []);
  });
});

/** Starts a server on 127.0.0.1:0 and returns its port and a closer that also drops connections. */
async function listen(server: Server): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const leaf: TlsOptions = {
  key: pem('leaf.key'),
  cert: Buffer.concat([pem('leaf-signed-by-ca.pem'), pem('ca-rsa.pem')]),
};

describe('readTlsCertificate against local peers', () => {
  test('readTlsCertificate reads the leaf of a CA-signed chain over TLS 1.3 without SNI for an address', async () => {
    let sni: string | false | null | undefined;
    const server = createTlsServer(leaf, (s) => {
      sni = s.servername;
      s.on('error', () => {});
    });
    const peer = await listen(server);
    try {
      const facts = await readTlsCertificate('127.0.0.1', peer.port, {}, ctx());
      const expected = cases.find((c) => c.file === 'leaf-signed-by-ca.pem')?.expect;
      assert.deepEqual(facts, { ...expected, protocol: 'TLSv1.3' });
      // With TLS 1.3 the client may finish before the server's secureConnection event fires.
      for (let i = 0; i < 100 && sni === undefined; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(sni, false, 'no SNI is sent for an address');
    } finally {
      await peer.close();
    }
  });

  test('readTlsCertificate reports TLS 1.2 and sends SNI for a name', async () => {
    let sni: string | false | null | undefined;
    const server = createTlsServer({ ...leaf, maxVersion: 'TLSv1.2' }, (s) => {
      sni = s.servername;
      s.on('error', () => {});
    });
    const peer = await listen(server);
    try {
      const facts = await readTlsCertificate(
        '127.0.0.1',
        peer.port,
        { serverName: 'esx01.lab.example' },
        ctx(),
      );
      assert.equal(facts.protocol, 'TLSv1.2');
      assert.equal(sni, 'esx01.lab.example');
    } finally {
      await peer.close();
    }
  });

  test('readTlsCertificate still reads a server that speaks only TLS 1.0 (old management cards)', async () => {
    const server = createTlsServer({
      ...leaf,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    server.on('secureConnection', (s) => s.on('error', () => {}));
    const peer = await listen(server);
    try {
      const facts = await readTlsCertificate('127.0.0.1', peer.port, {}, ctx());
      assert.equal(facts.protocol, 'TLSv1');
      assert.equal(facts.subject, 'O=Lab Hosts,CN=esx01.lab.example');
    } finally {
      await peer.close();
    }
  });

  test('readTlsCertificate keeps going when the server floods after the handshake', async () => {
    const server = createTlsServer(
      { key: pem('self.key'), cert: pem('self-signed-ec.pem') },
      (s) => {
        s.on('error', () => {});
        const chunk = Buffer.alloc(65536, 0x41);
        const flood = (): void => {
          while (!s.destroyed && s.write(chunk));
          if (!s.destroyed) s.once('drain', flood);
        };
        flood();
      },
    );
    const peer = await listen(server);
    try {
      const facts = await readTlsCertificate('127.0.0.1', peer.port, {}, ctx());
      assert.equal(facts.selfSigned, true);
      assert.equal(facts.subject, 'CN=vcsa.lab.example,OU=IT+OU=Ops,O=Acme\\, Inc.,C=US');
    } finally {
      await peer.close();
    }
  });

  test('readTlsCertificate says a plain HTTP server does not speak TLS', async () => {
    const peer = await listen(createHttpServer((_req, res) => res.end('plain')));
    try {
      await assert.rejects(readTlsCertificate('127.0.0.1', peer.port, {}, ctx()), (err) => {
        isCode('ERR_PROTOCOL', /does not speak TLS/)(err);
        assert.ok(err instanceof TlsMismatchError);
        assert.equal(err.peerSpeaks, 'plain');
        return true;
      });
    } finally {
      await peer.close();
    }
  });

  test('readTlsCertificate times out in the handshake on a peer that accepts and stays silent', async () => {
    const peer = await listen(createNetServer(() => {}));
    try {
      await assert.rejects(
        readTlsCertificate('127.0.0.1', peer.port, {}, ctx(200)),
        isCode('ERR_TIMEOUT', /tls handshake phase exceeded its 200 ms limit/),
      );
    } finally {
      await peer.close();
    }
  });

  test('readTlsCertificate reports a peer that closes during the handshake', async () => {
    const peer = await listen(createNetServer((s) => s.end()));
    try {
      await assert.rejects(
        readTlsCertificate('127.0.0.1', peer.port, {}, ctx()),
        isCode('ERR_PROTOCOL'),
      );
    } finally {
      await peer.close();
    }
  });

  test('readTlsCertificate reports a closed port as unreachable', async () => {
    const peer = await listen(createNetServer(() => {}));
    const port = peer.port;
    await peer.close();
    await assert.rejects(
      readTlsCertificate('127.0.0.1', port, {}, ctx()),
      isCode('ERR_UNREACHABLE'),
    );
  });

  test('readTlsCertificate stops when the caller aborts', async () => {
    const peer = await listen(createNetServer(() => {}));
    const controller = new AbortController();
    try {
      const pending = readTlsCertificate(
        '127.0.0.1',
        peer.port,
        {},
        { signal: controller.signal, timeoutMs: 60_000 },
      );
      setImmediate(() => controller.abort());
      await assert.rejects(pending, isCode('ERR_ABORTED'));
    } finally {
      await peer.close();
    }
  });
});
