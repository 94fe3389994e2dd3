// Fuzzing the upload: malformed gzip, non-JSON, wrong shapes, huge and deeply nested bodies,
// and seeded random mutations of a valid batch. Every one gets a clear 4xx (never a 5xx or a
// crash) and a refused batch stores nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { batch, hostRecord, uploadRequest, type BatchBody } from '../testing/fixtures.js';
import { testPlatform, type TestPlatform } from '../testing/platform.js';
import { seededRandom } from '../testing/random.js';
import type { PlatformStore } from '../store/platform-store.js';

describe('upload fuzzing', () => {
  let platform: TestPlatform;
  let store: PlatformStore;
  let token: string;
  const valid = (): BatchBody =>
    batch('edge-01', 'fuzz', 0, [
      hostRecord({
        serial: 'CZ2942036K',
        macs: ['00:50:56:00:00:01'],
        sections: { software: { state: 'complete', data: [{ name: 'curl', version: '7.88' }] } },
        relationships: [{ type: 'depends_on', target: '10.0.0.5', evidence: { remotePort: 5432 } }],
      }),
    ]);
  const raw = (payload: Buffer | string, headers: Record<string, string> = {}) => {
    const base = uploadRequest(valid(), token);
    return platform.app.inject({ ...base, headers: { ...base.headers, ...headers }, payload });
  };
  const expect4xx = (r: { statusCode: number; json(): unknown }, status: number, what: string) => {
    assert.equal(r.statusCode, status, what);
    const body = r.json() as { error: { code: string; message: string } };
    assert.equal(typeof body.error.code, 'string', what);
    assert.ok(body.error.message.length > 0, what);
  };

  before(async () => {
    platform = await testPlatform();
    ({ store, agentToken: token } = platform);
  });
  after(() => platform.close());

  test('malformed encodings and bodies are 4xx and store nothing', async () => {
    const good = gzipSync(JSON.stringify(valid()));
    const cases: [string, Buffer | string, Record<string, string>, number][] = [
      ['not gzip at all', 'hello', {}, 400],
      ['truncated gzip', good.subarray(0, good.length - 9), {}, 400],
      ['gzip of non-JSON', gzipSync('{"agentId": "edge-01",'), {}, 400],
      ['gzip of a JSON string', gzipSync('"x"'), {}, 400],
      ['gzip of null', gzipSync('null'), {}, 400],
      ['empty gzip', gzipSync(''), {}, 400],
      ['empty body', '', {}, 400],
      ['brotli claimed', good, { 'content-encoding': 'br' }, 415],
      ['text/plain', good, { 'content-type': 'text/plain' }, 415],
      ['__proto__ key', gzipSync('{"__proto__": {"x": 1}}'), {}, 400],
      ['deep nesting', gzipSync('['.repeat(100_000) + ']'.repeat(100_000)), {}, 400],
      [
        'deep nesting inside a record',
        gzipSync(
          JSON.stringify({
            ...valid(),
            hosts: [{ a: JSON.parse('['.repeat(70) + ']'.repeat(70)) }],
          }),
        ),
        {},
        400,
      ],
      ['over 8 MiB of gzip', randomBytes(8 * 1024 * 1024 + 1), {}, 413],
      ['a gzip bomb (65 MiB of zeros)', gzipSync(Buffer.alloc(65 * 1024 * 1024, 0x20)), {}, 413],
      [
        'plain JSON over 64 MiB is over 8 MiB raw',
        Buffer.alloc(9 * 1024 * 1024, 0x20),
        { 'content-encoding': 'identity' },
        413,
      ],
    ];
    for (const [what, payload, headers, status] of cases)
      expect4xx(await raw(payload, headers), status, what);
    assert.deepEqual(await store.counts(), { cis: 0, relationships: 0, batches: 0 });
  });

  test('wrong shapes are 400 naming the path, too many hosts 413, nothing stored', async () => {
    const mutate = (f: (b: Record<string, unknown>) => void): BatchBody => {
      const b = valid() as unknown as Record<string, unknown>;
      f(b);
      return b as unknown as BatchBody;
    };
    const host = (b: Record<string, unknown>) => (b.hosts as Record<string, unknown>[])[0]!;
    const cases: [string, BatchBody, RegExp, number][] = [
      ['seq negative', mutate((b) => (b.seq = -1)), /seq/, 400],
      ['seq fractional', mutate((b) => (b.seq = 1.5)), /seq/, 400],
      ['final a string', mutate((b) => (b.final = 'yes')), /final/, 400],
      ['hosts an object', mutate((b) => (b.hosts = {})), /hosts must be an array/, 400],
      ['address a number', mutate((b) => (host(b).address = 7)), /hosts\[0\]\.address/, 400],
      ['ci missing', mutate((b) => delete host(b).ci), /hosts\[0\]\.ci must be an object/, 400],
      [
        'ci.type unknown',
        mutate((b) => ((host(b).ci as Record<string, unknown>).type = 'toaster')),
        /ci\.type/,
        400,
      ],
      [
        'identity.macs a string',
        mutate(
          (b) => ((host(b).ci as Record<string, Record<string, unknown>>).identity!.macs = 'x'),
        ),
        /identity\.macs/,
        400,
      ],
      [
        'serial an object',
        mutate(
          (b) => ((host(b).ci as Record<string, Record<string, unknown>>).identity!.serial = {}),
        ),
        /identity\.serial/,
        400,
      ],
      [
        'serial 2000 chars',
        mutate(
          (b) =>
            ((host(b).ci as Record<string, Record<string, unknown>>).identity!.serial = 'x'.repeat(
              2000,
            )),
        ),
        /longer than/,
        400,
      ],
      [
        'section state invalid',
        mutate((b) => (host(b).sections = { software: 'done' })),
        /sections\.software/,
        400,
      ],
      [
        'protocol status invalid',
        mutate((b) => ((host(b).protocols as Record<string, unknown>[])[0]!.status = 'ok')),
        /protocols\[0\]\.status/,
        400,
      ],
      [
        'relationship type invalid',
        mutate((b) => ((host(b).relationships as Record<string, unknown>[])[0]!.type = 'likes')),
        /relationships\[0\]\.type/,
        400,
      ],
      [
        'relationship target empty',
        mutate((b) => ((host(b).relationships as Record<string, unknown>[])[0]!.target = ' ')),
        /target/,
        400,
      ],
      ['final without summary', mutate((b) => (b.final = true)), /summary/, 400],
      [
        'summary of another scan',
        mutate((b) => ((b.final = true), (b.summary = { scanId: 'other', state: 'completed' }))),
        /summary\.scanId/,
        400,
      ],
      [
        '501 hosts',
        mutate((b) => (b.hosts = Array.from({ length: 501 }, () => hostRecord()))),
        /at most 500/,
        413,
      ],
    ];
    for (const [what, body, message, status] of cases) {
      const r = await platform.app.inject(uploadRequest(body, token));
      expect4xx(r, status, what);
      assert.match(r.json().error.message, message, what);
    }
    assert.deepEqual(await store.counts(), { cis: 0, relationships: 0, batches: 0 });
  });

  test('random mutations of a valid batch never give a 5xx', async () => {
    const next = seededRandom(20261129);
    const values = [
      null,
      0,
      -1,
      1e308,
      '',
      'x'.repeat(300),
      [],
      {},
      [null],
      { a: [] },
      true,
      '\u0000',
      '💥',
    ];
    const paths = (v: unknown, prefix: string[] = [], out: string[][] = []): string[][] => {
      if (typeof v === 'object' && v !== null) {
        for (const [k, c] of Object.entries(v)) {
          out.push([...prefix, k]);
          paths(c, [...prefix, k], out);
        }
      }
      return out;
    };
    const outcomes = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const body = valid() as unknown as Record<string, unknown>;
      body.scanId = `fuzz-${i}`;
      const all = paths(body).filter(
        (p) => p[0] !== 'agentId' && p[0] !== 'scanId' && p[0] !== 'seq',
      );
      for (let m = 0; m < 1 + Math.floor(next() * 3); m++) {
        const p = all[Math.floor(next() * all.length)]!;
        let o = body as Record<string, unknown>;
        for (const k of p.slice(0, -1)) o = (o?.[k] ?? {}) as Record<string, unknown>;
        if (typeof o === 'object' && o !== null) {
          if (next() < 0.2) delete o[p[p.length - 1]!];
          else o[p[p.length - 1]!] = structuredClone(values[Math.floor(next() * values.length)]);
        }
      }
      const r = await platform.app.inject(uploadRequest(body as unknown as BatchBody, token));
      outcomes.set(r.statusCode, (outcomes.get(r.statusCode) ?? 0) + 1);
      assert.ok(
        r.statusCode === 200 || (r.statusCode >= 400 && r.statusCode < 500),
        `mutation ${i}: ${r.statusCode} ${r.body}`,
      );
    }
    assert.ok((outcomes.get(400) ?? 0) > 0);
  });
});
