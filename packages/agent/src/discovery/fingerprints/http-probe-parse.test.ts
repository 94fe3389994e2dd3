// Table tests of the pure HTTP response parsing over captured and constructed responses (testdata/http).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  bodyFraming,
  bodyText,
  decodeChunked,
  headerValue,
  htmlTitle,
  looksLikeTls,
  scanHttpHead,
} from './http-probe-parse.js';

interface HttpCase {
  file: string;
  method: string;
  status: number;
  server?: string;
  location?: string;
  framing: string;
  title?: string;
  body?: string;
  folded?: [string, string];
}
const dir = new URL('./testdata/http/', import.meta.url);
const { cases } = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as {
  cases: HttpCase[];
};

describe('HTTP parsing of captured responses', () => {
  for (const c of cases) {
    test(`scanHttpHead and body decoding read ${c.file}`, () => {
      const raw = readFileSync(new URL(c.file, dir));
      const scan = scanHttpHead(raw);
      assert.equal(scan.kind, 'head', JSON.stringify(scan));
      if (scan.kind !== 'head') return;
      const { head } = scan;
      assert.equal(head.status, c.status);
      assert.equal(headerValue(head, 'server'), c.server);
      assert.equal(headerValue(head, 'location'), c.location);
      if (c.folded) assert.equal(headerValue(head, c.folded[0]), c.folded[1]);
      const framing = bodyFraming(head, c.method);
      assert.equal(framing.kind, c.framing);
      const rawBody = raw.subarray(head.headBytes);
      let body: Buffer = rawBody;
      if (framing.kind === 'chunked') {
        const decoded = decodeChunked(rawBody, 65536);
        assert.equal(decoded.kind, 'complete');
        if (decoded.kind === 'complete') body = decoded.body;
      } else if (framing.kind === 'length') {
        assert.equal(rawBody.length, framing.length);
      }
      const text = bodyText(body, headerValue(head, 'content-type'));
      if (c.body !== undefined) assert.equal(text, c.body);
      assert.equal(htmlTitle(text), c.title);
    });
  }
});

describe('scanHttpHead', () => {
  test('scanHttpHead waits for the blank line that ends the head', () => {
    assert.deepEqual(scanHttpHead(Buffer.from('HTTP/1.1 200 OK\r\nServer: x\r\n')), {
      kind: 'need-more',
    });
  });

  test('scanHttpHead recognises a TLS alert as an answer from a TLS port', () => {
    const alert = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]);
    assert.ok(looksLikeTls(alert));
    assert.deepEqual(scanHttpHead(alert), {
      kind: 'invalid',
      reason: 'the server answered with TLS',
    });
  });

  test('scanHttpHead rejects an answer that is not HTTP', () => {
    assert.equal(scanHttpHead(Buffer.from('SSH-2.0-OpenSSH_9.2p1\r\n')).kind, 'invalid');
  });

  test('scanHttpHead gives up on a head larger than its limit', () => {
    const big = Buffer.from('HTTP/1.1 200 OK\r\n' + 'X-Pad: aaaaaaaaaa\r\n'.repeat(2000));
    const scan = scanHttpHead(big, { maxHeadBytes: 16384, maxHeaders: 100_000 });
    assert.deepEqual(scan, { kind: 'invalid', reason: 'response head larger than 16384 bytes' });
  });

  test('scanHttpHead gives up after 100 headers', () => {
    const many = Buffer.from('HTTP/1.1 200 OK\r\n' + 'X-A: b\r\n'.repeat(101) + '\r\n');
    assert.deepEqual(scanHttpHead(many), { kind: 'invalid', reason: 'more than 100 headers' });
  });

  test('scanHttpHead accepts LF-only line ends', () => {
    const scan = scanHttpHead(Buffer.from('HTTP/1.0 200 OK\nServer: tiny\n\nbody'));
    assert.equal(scan.kind, 'head');
    if (scan.kind === 'head') {
      assert.equal(headerValue(scan.head, 'server'), 'tiny');
      assert.equal(scan.head.headBytes, 'HTTP/1.0 200 OK\nServer: tiny\n\n'.length);
    }
  });
});

describe('decodeChunked', () => {
  test('decodeChunked waits for more when the last chunk has not arrived', () => {
    const scan = decodeChunked(Buffer.from('5\r\nhello\r\n3\r\nwor'), 1000);
    assert.equal(scan.kind, 'need-more');
    if (scan.kind === 'need-more') assert.equal(scan.body.toString(), 'hellowor');
  });

  test('decodeChunked stops at the body cap', () => {
    const scan = decodeChunked(Buffer.from('a\r\n0123456789\r\n'), 4);
    assert.deepEqual(scan, { kind: 'complete', body: Buffer.from('0123') });
  });

  test('decodeChunked rejects a bad chunk size and an endless size line', () => {
    assert.equal(decodeChunked(Buffer.from('zz\r\n'), 100).kind, 'invalid');
    assert.equal(decodeChunked(Buffer.alloc(2000, 0x31), 100).kind, 'invalid');
  });
});

describe('htmlTitle', () => {
  test('htmlTitle decodes numeric entities and caps the length', () => {
    assert.equal(htmlTitle('<title>&#x41;&#66;c</title>'), 'ABc');
    assert.equal(htmlTitle(`<title>${'x'.repeat(500)}</title>`)?.length, 200);
  });

  test('htmlTitle returns undefined for an empty or missing title', () => {
    assert.equal(htmlTitle('<title>  </title>'), undefined);
    assert.equal(htmlTitle('<html><body>no title</body></html>'), undefined);
  });
});
