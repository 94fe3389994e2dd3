// Tests decoding of RetrievePropertiesEx answers (typed values, arrays, missing properties, tokens).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSoapResponse } from './soap.js';
import {
  asRef,
  list,
  parseRetrieveResult,
  viewFilterSpec,
  vimValue,
} from './property-collector.js';

const capture = (model: string, kind: string) =>
  readFileSync(
    new URL(`../../collectors/vcenter/testdata/${model}/${kind}.xml`, import.meta.url),
    'utf8',
  );
const ENV = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>${body}</returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>`;
const parse = (xml: string) =>
  parseRetrieveResult(parseSoapResponse(xml, 'RetrievePropertiesEx', { typed: true }));

test('parseRetrieveResult keeps references apart from their xsi:type (simulator capture)', () => {
  const { objects, token } = parse(capture('vpx', 'vms'));
  assert.equal(token, '');
  const vm = objects[0];
  assert.ok(vm);
  assert.equal(vm.obj.type, 'VirtualMachine');
  assert.deepEqual(asRef(vm.props['runtime.host'])?.type, 'HostSystem');
  assert.equal(vm.props['config.hardware.numCPU'], 1);
  assert.equal(vm.props['config.template'], false);
  assert.ok(Array.isArray(vm.props['config.hardware.device']));
});

test('parseRetrieveResult reads vCenter-style xsi: prefixes, one-element arrays, tokens and missing properties', () => {
  const xml = ENV(
    '<token>7</token><objects><obj type="HostSystem">host-1</obj>' +
      '<propSet><name>datastore</name><val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore" xsi:type="ManagedObjectReference">datastore-9</ManagedObjectReference></val></propSet>' +
      '<propSet><name>summary.managementServerIp</name><val xsi:type="xsd:string">10.0.0.5</val></propSet>' +
      '<missingSet><path>config.network.pnic</path><fault><fault xsi:type="NoPermission"><object type="HostSystem">host-1</object><privilegeId>System.Read</privilegeId></fault><localizedMessage></localizedMessage></fault></missingSet>' +
      '</objects>',
  );
  const { objects, token } = parse(xml);
  assert.equal(token, '7');
  const ds = list(objects[0]?.props['datastore']);
  assert.equal(ds.length, 1);
  assert.deepEqual(asRef(ds[0]), {
    _type: 'ManagedObjectReference',
    type: 'Datastore',
    value: 'datastore-9',
  });
  assert.equal(objects[0]?.props['summary.managementServerIp'], '10.0.0.5');
  assert.deepEqual(objects[0]?.missing, [{ path: 'config.network.pnic', fault: 'NoPermission' }]);
});

test('vimValue leaves text as text and absent values empty', () => {
  assert.equal(vimValue('x'), 'x');
  assert.equal(vimValue(undefined), '');
  assert.deepEqual(list(''), []);
});

test('viewFilterSpec traverses the view and escapes what it is given', () => {
  const spec = viewFilterSpec({ type: 'ContainerView', value: 'session[a&b]view' }, [
    { type: 'VirtualMachine', paths: ['name'] },
  ]);
  assert.match(spec, /<obj type="ContainerView">session\[a&amp;b\]view<\/obj><skip>true<\/skip>/);
  assert.match(
    spec,
    /<propSet><type>VirtualMachine<\/type><all>false<\/all><pathSet>name<\/pathSet><\/propSet>/,
  );
  assert.match(spec, /<path>view<\/path>/);
});
