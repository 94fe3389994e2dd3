#!/usr/bin/python3
"""Writes this folder's WinRM vectors with pywinrm 0.3 (Debian python3-winrm) and ntlm-auth 1.4
(run once at test-writing time; tests only read the outputs):
- *.xml: request envelopes: pywinrm's own _get_soap_header (fixed MessageID, a:To set to our
  endpoint: pywinrm 0.3 hard-codes http://windows-host:5985/wsman) plus the WS-Enumeration bodies
  pywinrm 0.3 has no helper for, written in the same xmltodict style; serialised by xmltodict as
  pywinrm does.
- encryption.json: pywinrm's Encryption framing of two requests (client sequence 0 and 1) and two
  responses sealed by ntlm-auth's server-side SessionSecurity, for fixed flags and session key."""
import base64, json, struct, uuid
import xmltodict
from ntlm_auth.session_security import SessionSecurity
from winrm.encryption import Encryption
from winrm.protocol import Protocol

ENDPOINT = 'http://192.0.2.10:5985/wsman'
URI = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/*'
ENUM = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/'
WQL = 'http://schemas.microsoft.com/wbem/wsman/1/WQL'

p = Protocol(ENDPOINT, username='u', password='p', operation_timeout_sec=20, read_timeout_sec=30)

def envelope(action, msg_id, body):
    env = p._get_soap_header(action=ENUM + action, resource_uri=URI, message_id=uuid.UUID(msg_id))
    env['env:Header']['a:To'] = ENDPOINT
    env['env:Body'] = body
    return xmltodict.unparse({'env:Envelope': env})

vectors = {
    'enumerate': envelope('Enumerate', '11111111-2222-3333-4444-555555555555', {'n:Enumerate': {
        'w:OptimizeEnumeration': None, 'w:MaxElements': '32',
        'w:Filter': {'@Dialect': WQL, '#text': "SELECT * FROM Win32_Service WHERE Name <> 'a&b'"}}}),
    'pull': envelope('Pull', '66666666-7777-8888-9999-000000000000', {'n:Pull': {
        'n:EnumerationContext': 'uuid:ABCDEF01-2345-6789-ABCD-EF0123456789', 'w:MaxElements': '32'}}),
    'release': envelope('Release', '00000000-0000-0000-0000-000000000001', {'n:Release': {
        'n:EnumerationContext': 'uuid:ABCDEF01-2345-6789-ABCD-EF0123456789'}}),
}
for name, xml in vectors.items():
    open(name + '.xml', 'w').write(xml)

FLAGS = 0xe2888235
KEY = bytes(range(0x10, 0x20))

class Auth:
    def __init__(self, sec): self.session_security = sec
class Sess:
    def __init__(self, sec): self.auth = Auth(sec)
    def prepare_request(self, req): return req.prepare()

client = SessionSecurity(FLAGS, KEY, 'client')
server = SessionSecurity(FLAGS, KEY, 'server')
enc = Encryption(Sess(client), 'ntlm')
requests_ = [vectors['enumerate'].encode(), vectors['pull'].encode()]
req_bodies = [enc.prepare_encrypted_request(Sess(client), ENDPOINT, m) for m in requests_]
responses = [b'<s:Envelope>first answer</s:Envelope>', b'<s:Envelope>second, longer answer ' + b'x' * 300 + b'</s:Envelope>']
resp_bodies = []
for m in responses:
    sealed, sig = server.wrap(m)
    stream = struct.pack('<i', len(sig)) + sig + sealed
    resp_bodies.append(Encryption.MIME_BOUNDARY + b'\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n'
        b'\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=' + str(len(m)).encode() + b'\r\n'
        + Encryption.MIME_BOUNDARY + b'\r\n\tContent-Type: application/octet-stream\r\n' + stream + Encryption.MIME_BOUNDARY + b'--\r\n')
# pywinrm must read the server's frames back with a client context (checks sequence numbers and MACs).
reader = Encryption(Sess(SessionSecurity(FLAGS, KEY, 'client')), 'ntlm')
class R:
    def __init__(self, body): self.content = body; self.headers = {'Content-Type': 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"'}; self.request = type('Q', (), {'url': ENDPOINT})
for body, m in zip(resp_bodies, responses):
    assert reader.parse_encrypted_response(R(body)) == m
json.dump({
    'flags': FLAGS, 'exportedSessionKey': KEY.hex(),
    'requests': [{'plaintext': m.decode(), 'contentType': r.headers['Content-Type'], 'body': base64.b64encode(r.body).decode()} for m, r in zip(requests_, req_bodies)],
    'responses': [{'plaintext': m.decode(), 'body': base64.b64encode(b).decode()} for m, b in zip(responses, resp_bodies)],
}, open('encryption.json', 'w'), indent=2)
open('encryption.json', 'a').write('\n')
