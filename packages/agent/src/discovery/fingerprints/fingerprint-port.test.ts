// Tests for the per-port dispatch and the OpenPort mapping, against real local peers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import type { TlsFacts } from '@nopesight/model';
import {
  fingerprintPort,
  openPortFromFingerprint,
  planForPort,
  serviceForPort,
  type PortFingerprint,
} from './fingerprint-port.js';
import { probeCtx as ctx } from '../../../../../test/support/errors.js';

const dir = new URL('./testdata/', import.meta.url);
const read = (path: string): Buffer => readFileSync(new URL(path, dir));
const serverTls = { key: read('tls/self.key'), cert: read('tls/self-signed-ec.pem') };

async function listen(server: Server): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => {});
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

/** The body of a captured chunked response (vcsim's), for replay. */
function soapBody(file: string): string {
  const raw = read(file).toString('latin1');
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const size = parseInt(body.slice(0, body.indexOf('\r\n')), 16);
  const start = body.indexOf('\r\n') + 2;
  return Buffer.from(body.slice(start, start + size), 'latin1').toString('utf8');
}

const tls: TlsFacts = {
  subject: 'CN=x',
  issuer: 'CN=x',
  subjectAltNames: [],
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2027-01-01T00:00:00.000Z',
  fingerprintSha256: 'AA',
  selfSigned: true,
};

describe('serviceForPort', () => {
  const ssh = {
    banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2',
    protoVersion: '2.0',
    software: 'OpenSSH_9.2p1',
  };
  const vsphere = {
    name: 'VMware vCenter Server',
    fullName: 'VMware vCenter Server 8.0.2 build-22385739',
    version: '8.0.2',
    build: '22385739',
    apiType: 'VirtualCenter',
    apiVersion: '8.0.2.0',
  };
  const rows: [
    string,
    number,
    Parameters<typeof serviceForPort>[1],
    ReturnType<typeof serviceForPort>,
  ][] = [
    ['ssh on 22', 22, { ssh }, { service: 'ssh', banner: ssh.banner }],
    ['ssh on another port', 2222, { ssh }, { service: 'ssh', banner: ssh.banner }],
    [
      'vsphere on 443',
      443,
      { vsphere, tls, http: { status: 404, overTls: true } },
      { service: 'vsphere', banner: vsphere.fullName },
    ],
    [
      'https on 443',
      443,
      { tls, http: { status: 200, server: 'nginx', overTls: true } },
      { service: 'https', banner: 'nginx' },
    ],
    [
      'http on 80',
      80,
      { http: { status: 200, server: 'Apache', overTls: false } },
      { service: 'http', banner: 'Apache' },
    ],
    ['http on 8080', 8080, { http: { status: 200, overTls: false } }, { service: 'http' }],
    [
      'wsman on 5985',
      5985,
      { http: { status: 404, server: 'Microsoft-HTTPAPI/2.0', overTls: false } },
      { service: 'wsman', banner: 'Microsoft-HTTPAPI/2.0' },
    ],
    [
      'wsman-tls on 5986',
      5986,
      { tls, http: { status: 404, server: 'Microsoft-HTTPAPI/2.0', overTls: true } },
      { service: 'wsman-tls', banner: 'Microsoft-HTTPAPI/2.0' },
    ],
    ['wsman-tls on 5986 without HTTP', 5986, { tls }, { service: 'wsman-tls' }],
    ['TLS without HTTP on 8443', 8443, { tls }, { service: 'ssl' }],
    ['nothing learnt on 443', 443, {}, { service: 'https' }],
    ['nothing learnt on 445', 445, {}, { service: 'microsoft-ds' }],
    ['nothing learnt on an unknown port', 40000, {}, { service: 'unknown' }],
  ];
  for (const [name, port, facts, expected] of rows) {
    test(`serviceForPort names ${name}`, () =>
      assert.deepEqual(serviceForPort(port, facts), expected));
  }

  test('openPortFromFingerprint keeps service, banner and TLS facts only', () => {
    const fp: PortFingerprint = {
      port: 443,
      service: 'https',
      banner: 'nginx',
      tls,
      http: { status: 200, overTls: true },
      errors: [],
    };
    assert.deepEqual(openPortFromFingerprint(fp), {
      port: 443,
      proto: 'tcp',
      service: 'https',
      banner: 'nginx',
      tls,
    });
  });

  test('planForPort probes vSphere on 443 only', () => {
    assert.deepEqual(planForPort(443), { first: 'tls', vsphere: true });
    assert.deepEqual(planForPort(5986), { first: 'tls', vsphere: false });
    assert.deepEqual(planForPort(5985), { first: 'plain', vsphere: false });
    assert.deepEqual(planForPort(22), { first: 'ssh', vsphere: false });
    assert.deepEqual(planForPort(445), { first: 'none', vsphere: false });
  });
});

describe('fingerprintPort against local peers', () => {
  test('fingerprintPort reads an SSH banner', async () => {
    const peer = await listen(createNetServer((s) => s.write('SSH-2.0-dropbear_2022.83\r\n')));
    try {
      const fp = await fingerprintPort('127.0.0.1', peer.port, ctx(), {
        first: 'ssh',
        vsphere: false,
      });
      assert.equal(fp.service, 'ssh');
      assert.equal(fp.banner, 'SSH-2.0-dropbear_2022.83');
      assert.deepEqual(fp.errors, []);
    } finally {
      await peer.close();
    }
  });

  test('fingerprintPort records TLS, HTTP and vSphere on a vSphere-like HTTPS port', async () => {
    const server = createHttpsServer(serverTls, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(req.url === '/sdk' ? 200 : 404, { 'Content-Type': 'text/xml' });
        res.end(
          req.url === '/sdk' ? soapBody('vsphere/vcsim-vpx-retrieve-service-content.http') : '',
        );
      });
    });
    const peer = await listen(server);
    try {
      const fp = await fingerprintPort('127.0.0.1', peer.port, ctx(), {
        first: 'tls',
        vsphere: true,
      });
      assert.equal(fp.service, 'vsphere');
      assert.equal(fp.banner, 'VMware vCenter Server 6.5.0 build-5973321');
      assert.equal(fp.tls?.subject, 'CN=vcsa.lab.example,OU=IT+OU=Ops,O=Acme\\, Inc.,C=US');
      assert.equal(fp.http?.status, 404);
      assert.equal(fp.vsphere?.apiType, 'VirtualCenter');
      assert.deepEqual(fp.errors, []);
    } finally {
      await peer.close();
    }
  });

  test('fingerprintPort falls back to plain HTTP on a TLS port that speaks plain text', async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { Server: 'PlainOn443' });
      res.end();
    });
    const peer = await listen(server);
    try {
      const fp = await fingerprintPort('127.0.0.1', peer.port, ctx(), {
        first: 'tls',
        vsphere: false,
      });
      assert.equal(fp.service, 'http');
      assert.equal(fp.banner, 'PlainOn443');
      assert.equal(fp.tls, undefined);
      assert.deepEqual(
        fp.errors.map((e) => [e.probe, e.code]),
        [['tls', 'ERR_PROTOCOL']],
      );
    } finally {
      await peer.close();
    }
  });

  test('fingerprintPort retries with TLS on a plain port whose server only speaks TLS', async () => {
    const server = createHttpsServer(serverTls, (_req, res) => {
      res.writeHead(200, { Server: 'TlsOnly' });
      res.end();
    });
    const peer = await listen(server);
    try {
      const fp = await fingerprintPort('127.0.0.1', peer.port, ctx(), {
        first: 'plain',
        vsphere: false,
      });
      assert.equal(fp.service, 'https');
      assert.equal(fp.banner, 'TlsOnly');
      assert.equal(fp.tls?.selfSigned, true);
      assert.deepEqual(
        fp.errors.map((e) => [e.probe, e.code]),
        [['http', 'ERR_PROTOCOL']],
      );
    } finally {
      await peer.close();
    }
  });

  test('fingerprintPort keeps a plain "use TLS" answer when the TLS retry fails', async () => {
    // Answers everything, ClientHello included, with Go's plain-HTTP-to-TLS-port reply.
    const capture = read('http/vcsim-plain-http-to-tls-port.http');
    const peer = await listen(createNetServer((s) => s.once('data', () => s.end(capture))));
    try {
      const fp = await fingerprintPort('127.0.0.1', peer.port, ctx(), {
        first: 'plain',
        vsphere: false,
      });
      assert.equal(fp.http?.status, 400);
      assert.equal(fp.http?.tlsRequired, true);
      assert.equal(fp.http?.overTls, false);
      assert.equal(fp.tls, undefined);
      assert.deepEqual(
        fp.errors.map((e) => [e.probe, e.code]),
        [['tls', 'ERR_PROTOCOL']],
      );
    } finally {
      await peer.close();
    }
  });

  test('fingerprintPort keeps the certificate when HTTP over TLS times out', async () => {
    const server = createHttpsServer(serverTls, () => {}); // handshake, then never answers
    const peer = await listen(server);
    try {
      const fp = await fingerprintPort('127.0.0.1', peer.port, ctx(300), {
        first: 'tls',
        vsphere: true,
      });
      assert.equal(fp.tls?.selfSigned, true);
      assert.equal(fp.http, undefined);
      assert.equal(fp.vsphere, undefined);
      assert.deepEqual(
        fp.errors.map((e) => [e.probe, e.code]),
        [['http', 'ERR_TIMEOUT']],
      );
    } finally {
      await peer.close();
    }
  });

  test('fingerprintPort never rejects: a silent SSH port yields ERR_TIMEOUT in errors', async () => {
    const peer = await listen(createNetServer(() => {}));
    try {
      const fp = await fingerprintPort('127.0.0.1', peer.port, ctx(200), {
        first: 'ssh',
        vsphere: false,
      });
      assert.equal(fp.ssh, undefined);
      assert.deepEqual(
        fp.errors.map((e) => [e.probe, e.code]),
        [['ssh', 'ERR_TIMEOUT']],
      );
    } finally {
      await peer.close();
    }
  });

  test('fingerprintPort after abort records ERR_ABORTED and sends nothing', async () => {
    let connections = 0;
    const peer = await listen(createNetServer(() => connections++));
    const controller = new AbortController();
    controller.abort();
    try {
      const fp = await fingerprintPort(
        '127.0.0.1',
        peer.port,
        { signal: controller.signal, timeoutMs: 1000 },
        {
          first: 'tls',
          vsphere: true,
        },
      );
      assert.deepEqual(
        fp.errors.map((e) => [e.probe, e.code]),
        [['tls', 'ERR_ABORTED']],
      );
      assert.equal(connections, 0);
    } finally {
      await peer.close();
    }
  });

  test('fingerprintPort names a port it does not probe from the number alone', async () => {
    const fp = await fingerprintPort('127.0.0.1', 445, ctx());
    assert.deepEqual(fp, { port: 445, service: 'microsoft-ds', errors: [] });
  });
});
