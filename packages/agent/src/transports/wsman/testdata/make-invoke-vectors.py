#!/usr/bin/python3
"""Writes invoke-*.xml: WS-Man Invoke requests (WMI method calls) as pywinrm 0.3 (Debian
python3-winrm) would send them: its own _get_soap_header (fixed MessageID, a:To set to the
endpoint), the SelectorSet placed as pywinrm places its ShellId selector, and the <p:M_INPUT>
body in xmltodict style, serialised by xmltodict as pywinrm does. pywinrm 0.3 has no Invoke
helper; this is the envelope its header and serialiser produce for one. Run once at
test-writing time from this folder; the tests only read the .xml files."""
import uuid
import xmltodict
from winrm.protocol import Protocol

ENDPOINT = 'http://192.0.2.10:5985/wsman'
WMI = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/'
p = Protocol(ENDPOINT, username='u', password='p', operation_timeout_sec=20, read_timeout_sec=30)

def invoke(uri, method, msg_id, params, selectors=None):
    env = p._get_soap_header(action=uri + '/' + method, resource_uri=uri, message_id=uuid.UUID(msg_id))
    env['env:Header']['a:To'] = ENDPOINT
    if selectors:
        env['env:Header']['w:SelectorSet'] = {'w:Selector': [{'@Name': k, '#text': v} for k, v in selectors]}
    body = {'@xmlns:p': uri}
    for k, v in params:
        body['p:' + k] = v
    env['env:Body'] = {'p:%s_INPUT' % method: body}
    return xmltodict.unparse({'env:Envelope': env})

REG = WMI + 'root/default/StdRegProv'
vectors = {
    'invoke-enumkey': invoke(REG, 'EnumKey', '11111111-2222-3333-4444-555555555555',
                             [('hDefKey', '2147483650'), ('sSubKeyName', 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall')]),
    'invoke-getstringvalue': invoke(REG, 'GetStringValue', '66666666-7777-8888-9999-000000000000',
                                    [('hDefKey', '2147483650'), ('sSubKeyName', 'SOFTWARE\\R&D <Tools>'), ('sValueName', 'DisplayName')]),
    'invoke-getowner': invoke(WMI + 'root/cimv2/Win32_Process', 'GetOwner', '00000000-0000-0000-0000-000000000001',
                              [], selectors=[('Handle', '4242')]),
}
for name, xml in vectors.items():
    open(name + '.xml', 'w').write(xml)
