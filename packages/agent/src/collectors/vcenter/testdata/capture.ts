// Captures the collector's retrieves from the lab's simulator as raw SOAP answers (testdata/<model>/).
//   node --import tsx packages/agent/src/collectors/vcenter/testdata/capture.ts <model> [vcsim flags…]
// Starts test/lab/vcsim on 127.0.0.1 with the flags, writes one file per retrieve, stops it by PID.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { soapEnvelope, type MoRef } from '../../../transports/vsphere/soap.js';
import { viewFilterSpec } from '../../../transports/vsphere/property-collector.js';
import { VCENTER_RETRIEVES, VCENTER_SPECS, VIEW_TYPES } from '../specs.js';
import { freePort, vcsimBinary } from '../../../../../../test/support/vcsim.js';
import { stopChild } from '../../../../../../test/support/child-process.js';

const [model, ...flags] = process.argv.slice(2);
if (!model) throw new Error('usage: capture.ts <model> [vcsim flags…]');
const bin = vcsimBinary();
if (!bin) throw new Error('vcsim cannot be built here (go + golang-github-vmware-govmomi-dev)');
const port = await freePort();
const sim = spawn(bin, ['-listen', `127.0.0.1:${port}`, '-username', 'cap', '-password', 'cap-Pass-1', ...flags], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let cookie = '';
const post = (method: string, self: MoRef, body: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const data = soapEnvelope(method, self, body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/sdk',
        method: 'POST',
        rejectUnauthorized: false,
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"urn:vim25/6.5"', ...(cookie ? { Cookie: cookie } : {}) },
      },
      (res) => {
        const c = res.headers['set-cookie']?.[0]?.split(';')[0];
        if (c) cookie = c;
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
try {
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    sim.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (/serving https:/.test(seen)) resolve();
    });
    sim.once('exit', (code) => reject(new Error(`vcsim exited (${code})`)));
  });
  const dir = join(new URL('.', import.meta.url).pathname, model);
  mkdirSync(dir, { recursive: true });
  const si = { type: 'ServiceInstance', value: 'ServiceInstance' };
  const sc = await post('RetrieveServiceContent', si, '');
  writeFileSync(join(dir, 'service-content.xml'), sc);
  const ref = (name: string): MoRef => {
    const m = new RegExp(`<${name} type="([^"]+)">([^<]+)</${name}>`).exec(sc);
    if (!m) throw new Error(`no ${name}`);
    return { type: m[1] as string, value: m[2] as string };
  };
  await post('Login', ref('sessionManager'), '<userName>cap</userName><password>cap-Pass-1</password>');
  const root = ref('rootFolder');
  const viewXml = await post(
    'CreateContainerView',
    ref('viewManager'),
    `<container type="${root.type}">${root.value}</container>${VIEW_TYPES.map((t) => `<type>${t}</type>`).join('')}<recursive>true</recursive>`,
  );
  const view = { type: 'ContainerView', value: /<returnval[^>]*>([^<]+)</.exec(viewXml)?.[1] ?? '' };
  for (const kind of VCENTER_RETRIEVES) {
    const xml = await post('RetrievePropertiesEx', ref('propertyCollector'), `${viewFilterSpec(view, VCENTER_SPECS[kind])}<options></options>`);
    writeFileSync(join(dir, `${kind}.xml`), xml);
  }
  await post('Logout', ref('sessionManager'), '');
} finally {
  await stopChild(sim);
}
