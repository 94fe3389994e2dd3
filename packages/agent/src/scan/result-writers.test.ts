import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { HostRecord, ScanSummary } from '@nopesight/model';
import { jsonDocumentWriter, jsonlWriter } from './result-writers.js';

const host = (address: string) => ({ address }) as unknown as HostRecord;
const summary = { scanId: 's1', state: 'completed' } as unknown as ScanSummary;

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

test('jsonDocumentWriter writes a parseable document with hosts and scan', async () => {
  const stream = new PassThrough();
  const text = collect(stream);
  const w = jsonDocumentWriter(stream);
  await w.host(host('198.18.0.1'));
  await w.host(host('198.18.0.2'));
  await w.finish(summary);
  const doc = JSON.parse(text());
  assert.deepEqual(
    doc.hosts.map((h: HostRecord) => h.address),
    ['198.18.0.1', '198.18.0.2'],
  );
  assert.equal(doc.scan.scanId, 's1');
});

test('jsonDocumentWriter writes an empty host list when nothing was found', async () => {
  const stream = new PassThrough();
  const text = collect(stream);
  const w = jsonDocumentWriter(stream);
  await w.finish(summary);
  assert.deepEqual(JSON.parse(text()).hosts, []);
});

test('jsonlWriter streams one record per line into its file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-w-'));
  try {
    const path = join(dir, 'out.jsonl');
    const w = jsonlWriter(path);
    await w.host(host('198.18.0.1'));
    await w.host(host('198.18.0.2'));
    await w.finish(summary);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).address),
      ['198.18.0.1', '198.18.0.2'],
    );
    assert.deepEqual(readdirSync(dir), ['out.jsonl']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('jsonDocumentWriter shows the final file name only when the document is complete', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-w-'));
  try {
    const path = join(dir, 'out.json');
    const w = jsonDocumentWriter(path);
    await w.host(host('198.18.0.1'));
    assert.ok(!readdirSync(dir).includes('out.json'));
    await w.finish(summary);
    assert.deepEqual(readdirSync(dir), ['out.json']);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).hosts.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
