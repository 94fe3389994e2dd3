// The web UI's server side through fastify.inject (assets, headers, the redirect) and the rules
// its browser code keeps (no HTML parsing sinks, nothing from another origin).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CI_TYPES, PROTOCOL_STATUSES, PROTOCOLS } from '@nopesight/model';
import { testPlatform, type TestPlatform } from '../testing/platform.js';
import { CONTENT_SECURITY_POLICY, modelModule, STATIC_DIR, webUi } from './ui.js';

const sources = () =>
  readdirSync(STATIC_DIR).map((name) => ({
    name,
    text: readFileSync(join(STATIC_DIR, name), 'utf8'),
  }));

describe('web UI plugin', () => {
  let platform: TestPlatform;
  before(async () => {
    platform = await testPlatform({ webUi });
  });
  after(() => platform.close());
  const get = (url: string) => platform.app.inject({ method: 'GET', url });

  test('/ redirects to /ui/, which serves the page with a strict CSP and no token', async () => {
    const root = await get('/');
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, '/ui/');
    for (const url of ['/ui', '/ui/']) {
      const r = await get(url);
      assert.equal(r.statusCode, 200, url);
      assert.match(r.headers['content-type'] as string, /^text\/html/);
      assert.equal(r.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.match(r.body, /<script type="module" src="\/ui\/static\/app\.js"><\/script>/);
    }
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe/);
  });

  test('assets are served by name from the static folder only', async () => {
    const js = await get('/ui/static/app.js');
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /^text\/javascript/);
    assert.match((await get('/ui/static/app.css')).headers['content-type'] as string, /^text\/css/);
    for (const url of [
      '/ui/static/nope.js',
      '/ui/static/index.html',
      '/ui/static/..%2Fui.ts',
      '/ui/static/%2e%2e%2f%2e%2e%2fpackage.json',
      '/ui/static/../../package.json',
    ]) {
      const r = await get(url);
      assert.equal(r.statusCode, 404, url);
      assert.doesNotMatch(r.body, /"name"|import /, url);
    }
  });

  test('model.js carries the model vocabularies', async () => {
    const r = await get('/ui/static/model.js');
    assert.equal(r.statusCode, 200);
    assert.equal(r.body, modelModule());
    assert.ok(
      r.body.includes(`PROTOCOL_STATUSES = Object.freeze(${JSON.stringify(PROTOCOL_STATUSES)})`),
    );
    assert.ok(r.body.includes(JSON.stringify(PROTOCOLS)));
    assert.ok(r.body.includes(JSON.stringify(CI_TYPES)));
  });

  test('the operator API still needs the admin token (the UI adds no way around it)', async () => {
    for (const url of ['/api/discovery/agents', '/api/cmdb/ci', '/api/discovery/scans']) {
      assert.equal((await get(url)).statusCode, 401, url);
    }
  });
});

describe('web UI sources', () => {
  test('no HTML-parsing sink, eval or string handler: every value reaches the page as text', () => {
    const sinks =
      /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\(\s*['"]on|DOMParser|createContextualFragment|\.srcdoc\s*=/;
    for (const { name, text } of sources()) {
      if (!name.endsWith('.js')) continue;
      assert.doesNotMatch(text, sinks, name);
    }
  });

  test('nothing is loaded from another origin, and every import is a served file', () => {
    const served = new Set([...readdirSync(STATIC_DIR), 'model.js']);
    for (const { name, text } of sources()) {
      assert.doesNotMatch(text, /\b(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i, name);
      if (name.endsWith('.css')) assert.doesNotMatch(text, /@import|url\(/i, name);
      for (const m of text.matchAll(/^import .* from '\.\/([^']+)';$/gm)) {
        assert.ok(served.has(m[1]!), `${name} imports ${m[1]}`);
      }
    }
  });

  test('the token goes in a header, never in a URL or a log', () => {
    const api = sources().find((s) => s.name === 'api.js')!.text;
    assert.match(api, /authorization = `Bearer \$\{token\}`/);
    assert.match(api, /sessionStorage/);
    for (const { name, text } of sources()) {
      assert.doesNotMatch(text, /localStorage|console\.|document\.cookie/, name);
      assert.doesNotMatch(text, /[?&]token=/, name);
    }
  });
});
