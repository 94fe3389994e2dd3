// Tests the vim25 SOAP helpers on answers captured from the govmomi simulator (and one vim25-shaped fault).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moRefOf, parseSoapResponse, soapEnvelope, textOf, VimFaultError, asNode } from './soap.js';

const ENV_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENV_CLOSE = '</soapenv:Body></soapenv:Envelope>';

// Captured from govmomi's simulator (vcsim, VPX model): Login with a wrong password.
const INVALID_LOGIN = `${ENV_OPEN}<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Login failure</faultstring><detail><InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault></detail></soapenv:Fault>${ENV_CLOSE}`;
// Captured from vcsim: Logout without a session.
const NOT_AUTHENTICATED = `${ENV_OPEN}<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring></faultstring><detail><NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><object type="SessionManager">SessionManager</object><privilegeId>System.View</privilegeId></NotAuthenticatedFault></detail></soapenv:Fault>${ENV_CLOSE}`;
// Written to the vim25 WSDL shape (not captured): what vCenter sends a user without System.View.
const NO_PERMISSION = `${ENV_OPEN}<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Permission to perform this operation was denied.</faultstring><detail><NoPermissionFault xmlns="urn:vim25" xsi:type="NoPermission"><object type="Folder">group-d1</object><privilegeId>System.View</privilegeId></NoPermissionFault></detail></soapenv:Fault>${ENV_CLOSE}`;
// Captured from vcsim (trimmed to the first fields).
const SERVICE_CONTENT = `${ENV_OPEN}<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval><rootFolder type="Folder">group-d1</rootFolder><propertyCollector type="PropertyCollector">propertyCollector</propertyCollector><about><name>VMware vCenter Server</name><fullName>VMware vCenter Server 6.5.0 build-5973321</fullName><vendor>VMware, Inc.</vendor><version>6.5.0</version><build>5973321</build><apiType>VirtualCenter</apiType><apiVersion>6.5</apiVersion></about></returnval></RetrieveServiceContentResponse>${ENV_CLOSE}`;

function faultOf(xml: string): VimFaultError {
  try {
    parseSoapResponse(xml, 'Login');
  } catch (err) {
    assert.ok(err instanceof VimFaultError, String(err));
    return err;
  }
  return assert.fail('no fault raised');
}

test('parseSoapResponse maps InvalidLogin to ERR_AUTH_FAILED', () => {
  const f = faultOf(INVALID_LOGIN);
  assert.equal(f.code, 'ERR_AUTH_FAILED');
  assert.equal(f.faultType, 'InvalidLogin');
  assert.equal(f.message, 'vsphere fault InvalidLogin: Login failure');
});

test('parseSoapResponse maps NotAuthenticated to ERR_AUTH_FAILED', () => {
  const f = faultOf(NOT_AUTHENTICATED);
  assert.equal(f.code, 'ERR_AUTH_FAILED');
  assert.equal(f.faultType, 'NotAuthenticated');
});

test('parseSoapResponse maps NoPermission to ERR_ACCESS_DENIED', () => {
  const f = faultOf(NO_PERMISSION);
  assert.equal(f.code, 'ERR_ACCESS_DENIED');
  assert.equal(f.faultType, 'NoPermission');
});

test('parseSoapResponse maps other faults to ERR_PROTOCOL keeping their type', () => {
  const f = faultOf(NO_PERMISSION.replace(/NoPermission/g, 'InvalidArgument'));
  assert.equal(f.code, 'ERR_PROTOCOL');
  assert.equal(f.faultType, 'InvalidArgument');
});

test('parseSoapResponse returns returnval with references and strings kept as text', () => {
  const ret = asNode(parseSoapResponse(SERVICE_CONTENT, 'RetrieveServiceContent'));
  assert.ok(ret);
  assert.deepEqual(moRefOf(ret['rootFolder']), { type: 'Folder', value: 'group-d1' });
  const about = asNode(ret['about']);
  assert.equal(textOf(about?.['apiVersion']), '6.5');
  assert.equal(textOf(about?.['build']), '5973321');
});

test('parseSoapResponse returns undefined for a method without result', () => {
  const xml = `${ENV_OPEN}<LogoutResponse xmlns="urn:vim25"></LogoutResponse>${ENV_CLOSE}`;
  assert.equal(parseSoapResponse(xml, 'Logout'), undefined);
});

test('parseSoapResponse refuses DOCTYPEs, non-XML and foreign answers as ERR_PROTOCOL', () => {
  const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>${SERVICE_CONTENT.slice(38)}`;
  for (const xml of [bomb, '<html><body>hi</body></html>', `${ENV_OPEN}<Other/>${ENV_CLOSE}`]) {
    assert.throws(
      () => parseSoapResponse(xml, 'RetrieveServiceContent'),
      (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'ERR_PROTOCOL',
    );
  }
});

test('soapEnvelope escapes the parameters it is given', () => {
  const xml = soapEnvelope(
    'Login',
    { type: 'SessionManager', value: 'SessionManager' },
    '<userName>a&amp;b</userName>',
  );
  assert.match(
    xml,
    /<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager<\/_this><userName>a&amp;b<\/userName><\/Login>/,
  );
});
