// Tests of the section splitter: well-formed output, forged markers, truncation, floods and caps.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitSections } from './sections.js';

const NONCE = '0123456789abcdef01234567';
const M = `@@NOPESIGHT-${NONCE}`;

/** Output as the script prints it: a newline before every end marker. */
function out(sections: [name: string, text: string, exit?: number][], done = true): string {
  const parts = sections.map(
    ([n, t, rc]) => `${M} begin ${n}@@\n${t}\n${M} end ${n} ${rc ?? 0}@@\n`,
  );
  return parts.join('') + (done ? `\n${M} done@@\n` : '');
}

describe('splitSections', () => {
  test('splitSections keeps each text exactly, with or without a final newline', () => {
    const r = splitSections(
      out([
        ['uname', 'Linux h 6.1 x86_64\n'],
        ['date', '1700000000'],
        ['empty', ''],
      ]),
      NONCE,
    );
    assert.equal(r.done, true);
    assert.deepEqual(r.sections.get('uname'), {
      text: 'Linux h 6.1 x86_64\n',
      exitCode: 0,
      status: 'complete',
      note: null,
    });
    assert.equal(r.sections.get('date')?.text, '1700000000');
    assert.equal(r.sections.get('empty')?.text, '');
    assert.deepEqual(r.warnings, []);
  });

  test('splitSections treats markers with another nonce as section text', () => {
    const forged = [
      '@@NOPESIGHT-ffffffffffffffffffffffff end passwd 0@@',
      '@@NOPESIGHT-ffffffffffffffffffffffff done@@',
      `x ${M} end passwd 0@@`,
      'alice:x:1000:1000::/home/alice:/bin/sh',
    ].join('\n');
    const r = splitSections(
      out([
        ['passwd', `${forged}\n`],
        ['group', 'g:x:1:\n'],
      ]),
      NONCE,
    );
    assert.equal(r.sections.get('passwd')?.text, `${forged}\n`);
    assert.equal(r.sections.get('passwd')?.status, 'complete');
    assert.equal(r.sections.get('group')?.status, 'complete');
  });

  test('splitSections ignores an end marker for another section than the open one', () => {
    const text = `${M} end other 0@@\nreal\n`;
    const r = splitSections(out([['ps', text]]), NONCE);
    assert.equal(r.sections.get('ps')?.text, text);
    assert.ok(r.warnings.some((w) => /out of order/.test(w)));
  });

  test('splitSections marks a section cut when output stops mid-section', () => {
    const full = out([
      ['uname', 'Linux h 6.1 x86_64\n'],
      ['ps', 'PID CMD\n1 init\n2 kthreadd\n'],
      ['passwd', 'root:x:0:0::/root:/bin/sh\n'],
    ]);
    const cutAt = full.indexOf('2 kthreadd');
    const r = splitSections(full.slice(0, cutAt + 3), NONCE);
    assert.equal(r.done, false);
    assert.equal(r.sections.get('uname')?.status, 'complete');
    assert.deepEqual(r.sections.get('ps'), {
      text: 'PID CMD\n1 init\n2 k',
      exitCode: null,
      status: 'cut',
      note: 'no end marker',
    });
    assert.equal(r.sections.has('passwd'), false);
  });

  test('splitSections does not open a section from a begin marker cut before its newline', () => {
    const r = splitSections(`${M} begin uname@@`, NONCE);
    assert.equal(r.sections.size, 0);
    assert.equal(r.done, false);
  });

  test('splitSections reports timeouts and skips', () => {
    const text = `${out([['hostname', '', 124]], false)}\n${M} skip dmi absent@@\n\n${M} skip ps deadline@@\n`;
    const r = splitSections(text, NONCE);
    assert.equal(r.sections.get('hostname')?.status, 'timeout');
    assert.equal(r.sections.get('hostname')?.exitCode, 124);
    assert.deepEqual(r.sections.get('dmi'), {
      text: '',
      exitCode: null,
      status: 'skipped',
      note: 'absent',
    });
    assert.equal(r.sections.get('ps')?.status, 'timeout');
    assert.equal(r.sections.get('ps')?.note, 'deadline');
  });

  test('splitSections caps a flooding section and keeps the ones after it', () => {
    const flood = 'A'.repeat(10_000);
    const r = splitSections(
      out([
        ['ps', flood],
        ['passwd', 'root:x:0:0::/root:/bin/sh\n'],
      ]),
      NONCE,
      {
        maxSectionChars: 1000,
      },
    );
    assert.equal(r.sections.get('ps')?.status, 'cut');
    assert.equal(r.sections.get('ps')?.note, 'capped');
    assert.equal(r.sections.get('ps')?.text.length, 1000);
    assert.equal(r.sections.get('passwd')?.status, 'complete');
  });

  test('splitSections keeps at most maxSections sections', () => {
    const many = Array.from({ length: 100 }, (_, i) => [`s${i}`, 'x'] as [string, string]);
    const r = splitSections(out(many), NONCE, { maxSections: 10 });
    assert.equal(r.sections.size, 10);
    assert.ok(r.warnings.some((w) => /90 sections beyond the cap/.test(w)));
  });

  test('splitSections keeps the first of a section printed twice', () => {
    const r = splitSections(
      out([
        ['uname', 'first'],
        ['uname', 'second'],
      ]),
      NONCE,
    );
    assert.equal(r.sections.get('uname')?.text, 'first');
  });

  test('splitSections counts login noise outside sections and tolerates CRLF markers', () => {
    const text = `Welcome to host\nLast login: yesterday\n${M} begin uname@@\r\nLinux h 1 x\r\n\r\n${M} end uname 0@@\r\n${M} done@@\r\n`;
    const r = splitSections(text, NONCE);
    assert.equal(r.strayLines, 2);
    assert.equal(r.sections.get('uname')?.status, 'complete');
    assert.equal(r.sections.get('uname')?.text, 'Linux h 1 x\r\n\r');
    assert.equal(r.done, true);
  });

  test('splitSections survives garbage and non-UTF-8 replacement characters', () => {
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a, 0xc3]).toString('utf8');
    const r = splitSections(`${garbage}\n${out([['uname', garbage]])}${garbage}`, NONCE);
    assert.equal(r.sections.get('uname')?.text, garbage);
    assert.equal(r.done, true);
  });

  test('splitSections returns nothing for output without markers', () => {
    const r = splitSections('% Invalid input detected at marker\nswitch>', NONCE);
    assert.equal(r.sections.size, 0);
    assert.equal(r.done, false);
    assert.equal(r.strayLines, 2);
  });

  test('splitSections reads a 30 MB flood of short lines in linear time', () => {
    const flood = 'x\n'.repeat(15_000_000);
    const started = performance.now();
    const r = splitSections(
      out([
        ['ps', flood],
        ['passwd', 'p'],
      ]),
      NONCE,
      { maxSectionChars: 1 << 20 },
    );
    assert.ok(performance.now() - started < 5000);
    assert.equal(r.sections.get('ps')?.status, 'cut');
    assert.equal(r.sections.get('passwd')?.text, 'p');
  });
});
