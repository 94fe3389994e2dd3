// Tests for the vSphere `about` probe: parsers over captures (testdata/vsphere), the probe against a
// local HTTPS server replaying those captures, and against the real govmomi simulator.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ScannerError } from '../../errors.js';
import { scanHttpHead } from './http-probe-parse.js';
import { probeVsphere } from './vsphere-about.js';
import {
  parseServiceContent,
  parseVimServiceVersion,
  RETRIEVE_SERVICE_CONTENT_REQUEST,
} from './vsphere-about-parse.js';
import { freePort, vcsimBinary } from '../../../../../test/support/vcsim.js';
import { probeCtx as ctx } from '../../../../../test/support/errors.js';
import { stopChild } from '../../../../../test/support/child-process.js';

const dir = new URL('./testdata/vsphere/', import.meta.url);
const tlsDir = new URL('./testdata/tls/', import.meta.url);
const cases = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as {
  serviceContent: { file: string; expect: { kind: string } }[];
  versions: { file: string; expect: string | null }[];
};

/** The body of a captured response, chunked framing removed (the XML files are bodies already). */
function captureBody(file: string): string {
  const raw = readFileSync(new URL(file, dir));
  if (!file.endsWith('.http')) return raw.toString('utf8');
  const scan = scanHttpHead(raw);
  assert.equal(scan.kind, 'head');
  if (scan.kind !== 'head') return '';
  const body = raw.subarray(scan.head.headBytes).toString('latin1');
  if (!scan.head.headers.some(([n, v]) => n === 'transfer-encoding' && v === 'chunked')) {
    return Buffer.from(body, 'latin1').toString('utf8');
  }
  let out = '';
  let rest = body;
  for (let i = 0; i < 1000; i++) {
    const [sizeLine = '0', ...after] = rest.split('\r\n');
    const size = parseInt(sizeLine, 16);
    if (size === 0) break;
    const data = after.join('\r\n');
    out += data.slice(0, size);
    rest = data.slice(size + 2);
  }
  return Buffer.from(out, 'latin1').toString('utf8');
}

describe('vSphere parsers on captures', () => {
  for (const c of cases.serviceContent) {
    test(`parseServiceContent reads ${c.file}`, () => {
      const parsed = parseServiceContent(captureBody(c.file));
      if (c.expect.kind === 'not-vsphere') assert.equal(parsed.kind, 'not-vsphere');
      else assert.deepEqual(parsed, c.expect);
    });
  }
  for (const c of cases.versions) {
    test(`parseVimServiceVersion reads ${c.file}`, () => {
      assert.equal(parseVimServiceVersion(captureBody(c.file)) ?? null, c.expect);
    });
  }

  test('parseServiceContent refuses a document with a DTD', () => {
    const xml =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Envelope><Body/></Envelope>';
    assert.equal(parseServiceContent(xml).kind, 'not-vsphere');
  });

  test('parseServiceContent needs every required about field', () => {
    const xml = captureBody('vcsim-esx-retrieve-service-content.http').replace(
      /<apiType>[^<]*<\/apiType>/,
      '',
    );
    assert.deepEqual(parseServiceContent(xml), {
      kind: 'not-vsphere',
      reason: 'about lacks apiType',
    });
  });

  test('parseVimServiceVersion refuses a version that could inject a header', () => {
    const xml =
      '<namespaces><namespace><name>urn:vim25</name><version>8.0\r\nX: y</version></namespace></namespaces>';
    assert.equal(parseVimServiceVersion(xml), undefined);
  });
});

interface Seen {
  method?: string;
  url?: string;
  soapAction?: string;
  body: string;
}

/** An HTTPS server answering /sdk requests with `answer`; it records the requests it got. */
async function replayServer(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ port: number; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpsServer(
    {
      key: readFileSync(new URL('self.key', tlsDir)),
      cert: readFileSync(new URL('self-signed-ec.pem', tlsDir)),
    },
    (req, res) => {
      const entry: Seen = { method: req.method, url: req.url, body: '' };
      const action = req.headers.soapaction;
      if (typeof action === 'string') entry.soapAction = action;
      seen.push(entry);
      req.on('data', (d: Buffer) => (entry.body += d.toString()));
      req.on('end', () => answer(req, res));
    },
  );
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const xmlAnswer = (res: ServerResponse, status: number, body: string): void => {
  res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8' });
  res.end(body);
};

describe('probeVsphere against a replaying HTTPS server', () => {
  test('probeVsphere names the listed version in SOAPAction and returns about', async () => {
    const peer = await replayServer((req, res) => {
      if (req.url === '/sdk/vimServiceVersions.xml')
        xmlAnswer(res, 200, captureBody('vcsim-vim-service-versions.http'));
      else xmlAnswer(res, 200, captureBody('vcsim-esx-retrieve-service-content.http'));
    });
    try {
      const about = await probeVsphere('127.0.0.1', peer.port, ctx());
      assert.equal(about?.apiType, 'HostAgent');
      assert.equal(about?.fullName, 'VMware ESXi 6.5.0 build-5969303');
      assert.deepEqual(
        peer.seen.map((s) => [s.method, s.url, s.soapAction]),
        [
          ['GET', '/sdk/vimServiceVersions.xml', undefined],
          ['POST', '/sdk', 'urn:vim25/6.5'],
        ],
      );
      assert.equal(peer.seen[1]?.body, RETRIEVE_SERVICE_CONTENT_REQUEST);
    } finally {
      await peer.close();
    }
  });

  test('probeVsphere falls back to urn:vim25/6.0 when there is no versions file', async () => {
    const peer = await replayServer((req, res) => {
      if (req.url === '/sdk') xmlAnswer(res, 200, captureBody('vcenter-8-about.xml'));
      else xmlAnswer(res, 404, 'not here');
    });
    try {
      const about = await probeVsphere('127.0.0.1', peer.port, ctx());
      assert.equal(about?.apiVersion, '8.0.2.0');
      assert.equal(peer.seen[1]?.soapAction, 'urn:vim25/6.0');
    } finally {
      await peer.close();
    }
  });

  test('probeVsphere returns null for an HTTPS server that is not vSphere', async () => {
    const peer = await replayServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<html><title>Not Found</title></html>');
    });
    try {
      assert.equal(await probeVsphere('127.0.0.1', peer.port, ctx()), null);
    } finally {
      await peer.close();
    }
  });

  test('probeVsphere returns null for SOAP that is not RetrieveServiceContent', async () => {
    const peer = await replayServer((_req, res) =>
      xmlAnswer(res, 200, '<Envelope><Body><Other/></Body></Envelope>'),
    );
    try {
      assert.equal(await probeVsphere('127.0.0.1', peer.port, ctx()), null);
    } finally {
      await peer.close();
    }
  });

  test('probeVsphere reports a vim25 fault as ERR_PROTOCOL', async () => {
    const peer = await replayServer((req, res) =>
      req.url === '/sdk'
        ? xmlAnswer(res, 500, captureBody('vcsim-fault-managed-object-not-found.http'))
        : xmlAnswer(res, 404, ''),
    );
    try {
      await assert.rejects(probeVsphere('127.0.0.1', peer.port, ctx()), (err) => {
        assert.ok(err instanceof ScannerError);
        assert.equal(err.code, 'ERR_PROTOCOL');
        assert.match(err.message, /managed object not found/);
        return true;
      });
    } finally {
      await peer.close();
    }
  });

  test('probeVsphere times out when /sdk never answers', async () => {
    const peer = await replayServer((req, res) => {
      if (req.url !== '/sdk') xmlAnswer(res, 404, '');
    });
    try {
      await assert.rejects(probeVsphere('127.0.0.1', peer.port, ctx(300)), (err) => {
        assert.ok(err instanceof ScannerError);
        assert.equal(err.code, 'ERR_TIMEOUT');
        assert.match(err.message, /POST \/sdk .*response head phase/);
        return true;
      });
    } finally {
      await peer.close();
    }
  });
});

describe('probeVsphere against a real govmomi simulator', () => {
  // The lab's simulator (test/lab/vcsim/main.go, cached by lab.sh or built once into the temp
  // dir) on a loopback port; NOPESIGHT_VCSIM_BIN points at another build of it. Skipped with
  // one line when Go and govmomi are missing (they are Debian packages the test setup installs).
  const bin = process.env.NOPESIGHT_VCSIM_BIN ?? vcsimBinary();
  const sims: { vpx?: ChildProcess; esx?: ChildProcess; vpxAt?: string; esxAt?: string } = {};

  const start = async (esx: boolean): Promise<[ChildProcess, string]> => {
    const port = await freePort();
    const child = spawn(bin as string, ['-listen', `127.0.0.1:${port}`, ...(esx ? ['-esx'] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 200 && !out.includes('serving') && child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(out, /serving https:\/\/127\.0\.0\.1:\d+\/sdk/, 'vcsim did not start');
    return [child, `127.0.0.1:${port}`];
  };

  before(async () => {
    if (!bin) return;
    [sims.vpx, sims.vpxAt] = await start(false);
    [sims.esx, sims.esxAt] = await start(true);
  });
  after(async () => {
    await Promise.all([sims.vpx, sims.esx].map((child) => stopChild(child)));
  });

  test('probeVsphere reads vCenter about from vcsim', async (t) => {
    if (!bin) return t.skip('vcsim unavailable: Go and govmomi are not installed');
    const port = Number(sims.vpxAt?.split(':')[1]);
    const about = await probeVsphere('127.0.0.1', port, ctx(5000));
    assert.equal(about?.apiType, 'VirtualCenter');
    assert.equal(about?.productLineId, 'vpx');
    assert.match(about?.instanceUuid ?? '', /^[0-9a-f-]{36}$/);
  });

  test('probeVsphere reads ESXi about from vcsim in ESX mode', async (t) => {
    if (!bin) return t.skip('vcsim unavailable: Go and govmomi are not installed');
    const port = Number(sims.esxAt?.split(':')[1]);
    const about = await probeVsphere('127.0.0.1', port, ctx(5000));
    assert.equal(about?.apiType, 'HostAgent');
    assert.equal(about?.name, 'VMware ESXi');
  });
});
