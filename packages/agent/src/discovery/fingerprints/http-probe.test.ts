// Tests for probeHttp and httpExchange against real local HTTP/HTTPS servers and hostile peers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { probeHttp } from './http-probe.js';
import { httpExchange, PROBE_USER_AGENT, TlsMismatchError } from './http-probe-request.js';
import { isCode, probeCtx as ctx } from '../../../../../test/support/errors.js';

const tlsDir = new URL('./testdata/tls/', import.meta.url);
const httpDir = new URL('./testdata/http/', import.meta.url);
const serverTls = {
  key: readFileSync(new URL('self.key', tlsDir)),
  cert: readFileSync(new URL('self-signed-ec.pem', tlsDir)),
};

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

/** A raw TCP peer that plays `script` on each connection (for answers node's servers won't give). */
const rawPeer = (script: (s: Socket) => void): Server => createNetServer(script);

const page =
  '<!DOCTYPE html><html><head><title>Printer &amp; Scanner\n Admin</title></head><body>hi</body></html>';

describe('probeHttp against real servers', () => {
  test('probeHttp reads status, Server, title and the request it sent over plain HTTP', async () => {
    let seen: Record<string, string | string[] | undefined> = {};
    const server = createHttpServer((req, res) => {
      seen = { ...req.headers, method: req.method, url: req.url };
      res.writeHead(200, { Server: 'TestHTTP/1.0', 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page);
    });
    const peer = await listen(server);
    try {
      const facts = await probeHttp('127.0.0.1', peer.port, { tls: false }, ctx());
      assert.deepEqual(facts, {
        status: 200,
        reason: 'OK',
        server: 'TestHTTP/1.0',
        contentType: 'text/html; charset=utf-8',
        title: 'Printer & Scanner Admin',
      });
      assert.equal(seen.method, 'GET');
      assert.equal(seen.url, '/');
      assert.equal(seen.host, `127.0.0.1:${peer.port}`);
      assert.equal(seen['user-agent'], PROBE_USER_AGENT);
      assert.equal(seen.authorization, undefined);
      assert.equal(seen.cookie, undefined);
    } finally {
      await peer.close();
    }
  });

  test('probeHttp follows no redirect but reports Location and WWW-Authenticate over TLS', async () => {
    const server = createHttpsServer(serverTls, (_req, res) => {
      res.writeHead(302, { Location: '/ui/', 'WWW-Authenticate': 'Negotiate' });
      res.end();
    });
    const peer = await listen(server);
    try {
      const facts = await probeHttp(
        '127.0.0.1',
        peer.port,
        { tls: true, serverName: 'vcsa.lab.example' },
        ctx(),
      );
      assert.deepEqual(facts, {
        status: 302,
        reason: 'Found',
        location: '/ui/',
        wwwAuthenticate: 'Negotiate',
      });
    } finally {
      await peer.close();
    }
  });

  test('probeHttp HEAD reads the head only', async () => {
    const server = createHttpServer((req, res) => {
      res.writeHead(200, {
        Server: 'HeadOnly',
        'Content-Type': 'text/html',
        'Content-Length': '1000',
      });
      res.end(req.method === 'HEAD' ? undefined : 'x'.repeat(1000));
    });
    const peer = await listen(server);
    try {
      const facts = await probeHttp('127.0.0.1', peer.port, { tls: false, method: 'HEAD' }, ctx());
      assert.equal(facts.server, 'HeadOnly');
      assert.equal(facts.title, undefined);
    } finally {
      await peer.close();
    }
  });

  test('probeHttp over TLS to a plain HTTP server says the peer speaks plain text', async () => {
    const peer = await listen(createHttpServer((_req, res) => res.end('plain')));
    try {
      await assert.rejects(probeHttp('127.0.0.1', peer.port, { tls: true }, ctx()), (err) => {
        assert.ok(err instanceof TlsMismatchError, String(err));
        assert.equal(err.peerSpeaks, 'plain');
        return true;
      });
    } finally {
      await peer.close();
    }
  });

  test('probeHttp in plain HTTP to a TLS server that answers with an alert says the peer speaks TLS', async () => {
    // What OpenSSL-based servers (Apache mod_ssl, many appliances) send for a plain request.
    const alert = Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]);
    const peer = await listen(rawPeer((s) => s.once('data', () => s.end(alert))));
    try {
      await assert.rejects(probeHttp('127.0.0.1', peer.port, { tls: false }, ctx()), (err) => {
        assert.ok(err instanceof TlsMismatchError, String(err));
        assert.equal(err.peerSpeaks, 'tls');
        return true;
      });
    } finally {
      await peer.close();
    }
  });

  test('probeHttp marks the "HTTP request to an HTTPS server" answer as tlsRequired', async () => {
    const capture = readFileSync(new URL('vcsim-plain-http-to-tls-port.http', httpDir));
    const peer = await listen(rawPeer((s) => s.once('data', () => s.end(capture))));
    try {
      const facts = await probeHttp('127.0.0.1', peer.port, { tls: false }, ctx());
      assert.equal(facts.status, 400);
      assert.equal(facts.tlsRequired, true);
    } finally {
      await peer.close();
    }
  });

  test('probeHttp against a node https server in plain HTTP gets a close without answer', async () => {
    const peer = await listen(createHttpsServer(serverTls, (_req, res) => res.end('x')));
    try {
      await assert.rejects(
        probeHttp('127.0.0.1', peer.port, { tls: false }, ctx()),
        isCode('ERR_PROTOCOL', /closed by the server without answering/),
      );
    } finally {
      await peer.close();
    }
  });
});

describe('httpExchange against hostile peers', () => {
  test('httpExchange times out in the response head phase on a peer that accepts and stays silent', async () => {
    const peer = await listen(rawPeer(() => {}));
    try {
      await assert.rejects(
        probeHttp('127.0.0.1', peer.port, { tls: false }, ctx(200)),
        isCode('ERR_TIMEOUT', /response head phase exceeded its 200 ms limit/),
      );
    } finally {
      await peer.close();
    }
  });

  test('httpExchange times out in the tls handshake phase on a silent TLS port', async () => {
    const peer = await listen(rawPeer(() => {}));
    try {
      await assert.rejects(
        probeHttp('127.0.0.1', peer.port, { tls: true }, ctx(200)),
        isCode('ERR_TIMEOUT', /tls handshake phase exceeded its 200 ms limit/),
      );
    } finally {
      await peer.close();
    }
  });

  test('httpExchange gives up on a peer that floods header lines', async () => {
    const peer = await listen(
      rawPeer((s) => {
        s.write('HTTP/1.1 200 OK\r\n');
        const line = Buffer.from('X-Flood: ' + 'a'.repeat(1000) + '\r\n');
        const flood = (): void => {
          while (!s.destroyed && s.write(line));
          if (!s.destroyed) s.once('drain', flood);
        };
        flood();
      }),
    );
    try {
      await assert.rejects(
        probeHttp('127.0.0.1', peer.port, { tls: false }, ctx()),
        isCode('ERR_PROTOCOL', /response head larger than 16384 bytes/),
      );
    } finally {
      await peer.close();
    }
  });

  test('httpExchange keeps at most maxBodyBytes of an endless body and closes', async () => {
    let closed = false;
    const peer = await listen(
      rawPeer((s) => {
        s.on('close', () => (closed = true));
        s.write('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>endless</title>');
        const chunk = Buffer.alloc(65536, 0x20);
        const flood = (): void => {
          while (!s.destroyed && s.write(chunk));
          if (!s.destroyed) s.once('drain', flood);
        };
        flood();
      }),
    );
    try {
      const result = await httpExchange(
        '127.0.0.1',
        peer.port,
        { tls: false, method: 'GET', path: '/', maxBodyBytes: 4096 },
        ctx(),
      );
      assert.equal(result.body.length, 4096);
      assert.equal(result.bodyTruncated, true);
      const facts = await probeHttp('127.0.0.1', peer.port, { tls: false }, ctx());
      assert.equal(facts.title, 'endless');
      for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(closed, true);
    } finally {
      await peer.close();
    }
  });

  test('httpExchange keeps the head of a response whose server closes before the announced length', async () => {
    const peer = await listen(
      rawPeer((s) =>
        s.once('data', () =>
          s.end('HTTP/1.1 200 OK\r\nServer: Short\r\nContent-Length: 100\r\n\r\nabc'),
        ),
      ),
    );
    try {
      const result = await httpExchange(
        '127.0.0.1',
        peer.port,
        { tls: false, method: 'GET', path: '/' },
        ctx(),
      );
      assert.equal(result.head.status, 200);
      assert.equal(result.body.toString(), 'abc');
      assert.equal(result.bodyTruncated, true);
    } finally {
      await peer.close();
    }
  });

  test('httpExchange rejects a peer that answers something other than HTTP', async () => {
    const peer = await listen(rawPeer((s) => s.end('SSH-2.0-OpenSSH_9.2p1\r\n')));
    try {
      await assert.rejects(
        probeHttp('127.0.0.1', peer.port, { tls: false }, ctx()),
        isCode('ERR_PROTOCOL', /not HTTP/),
      );
    } finally {
      await peer.close();
    }
  });

  test('httpExchange reports a closed port as unreachable and stops on abort', async () => {
    const peer = await listen(rawPeer(() => {}));
    const port = peer.port;
    const controller = new AbortController();
    const pending = probeHttp(
      '127.0.0.1',
      port,
      { tls: false },
      { signal: controller.signal, timeoutMs: 60_000 },
    );
    setImmediate(() => controller.abort());
    await assert.rejects(pending, isCode('ERR_ABORTED'));
    await peer.close();
    await assert.rejects(
      probeHttp('127.0.0.1', port, { tls: false }, ctx()),
      isCode('ERR_UNREACHABLE'),
    );
  });
});
