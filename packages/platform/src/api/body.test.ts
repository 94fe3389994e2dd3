import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { decodeJsonBody, textDepthExceeds } from './body.js';
import { csvCell, toCsv } from './csv.js';

test('textDepthExceeds counts brackets outside strings only', () => {
  const cases: [string, number, boolean][] = [
    ['[[[]]]', 3, false],
    ['[[[[]]]]', 3, true],
    ['{"a":"[[[[[[[["}', 2, false],
    ['{"a":"\\"[[[[["}', 2, false],
    ['[{"a":[{}]}]', 3, true],
  ];
  for (const [text, limit, want] of cases)
    assert.equal(textDepthExceeds(Buffer.from(text), limit), want, text);
});

test('decodeJsonBody decodes gzip and identity, refuses the rest with the right status', async () => {
  assert.deepEqual((await decodeJsonBody(gzipSync('{"a":1}'), 'gzip', 100)).value, { a: 1 });
  assert.deepEqual((await decodeJsonBody(Buffer.from('[1]'), undefined, 100)).value, [1]);
  const status = async (p: Promise<unknown>) => {
    try {
      await p;
      return 0;
    } catch (err) {
      return (err as { statusCode: number }).statusCode;
    }
  };
  assert.equal(await status(decodeJsonBody(gzipSync('x'.repeat(200)), 'gzip', 100)), 413);
  assert.equal(await status(decodeJsonBody(Buffer.from('x'.repeat(200)), 'identity', 100)), 413);
  assert.equal(await status(decodeJsonBody(Buffer.from('{}'), 'deflate', 100)), 415);
  assert.equal(await status(decodeJsonBody(Buffer.from('not gzip'), 'gzip', 100)), 400);
});

test('CSV cells are quoted when needed and defused when they look like formulas', () => {
  const cases: [unknown, string][] = [
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=cmd()', "'=cmd()"],
    ['-1', "'-1"],
    [null, ''],
    [{ a: 1 }, '"{""a"":1}"'],
    [3, '3'],
  ];
  for (const [v, want] of cases) assert.equal(csvCell(v), want, String(v));
  assert.equal(toCsv([{ header: 'x', get: (r: { x: number }) => r.x }], [{ x: 1 }]), 'x\r\n1\r\n');
});
