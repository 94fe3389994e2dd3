#!/usr/bin/python3
"""Writes impacket-vectors.json: DCOM and WMI stubs built by impacket 0.10 (Debian
python3-impacket) for fixed inputs. Run once at test-writing time from this folder with
/usr/bin/python3; the tests only read the JSON (they never need python).

impacket_ndr.py (shared with ../../wmi/testdata/make-method-vectors.py) makes impacket's bytes
comparable with any correct NDR encoder: alignment padding zero, referent ids renumbered per NDR
stream in order of appearance as 0x00020000, 0x00020004, … (what Windows and our writer use).
InstantiationInfoData.thisSize is set to the property's serialized size before marshalling
(impacket 0.10 marshals first and sets it after, so it sends 0; MS-DCOM says it is the size)."""
import json, struct

from impacket_ndr import renumber  # first: it replaces impacket's ndr module
from impacket.dcerpc.v5 import dcomrt as D  # noqa: E402
from impacket.dcerpc.v5.dcom import wmi as W  # noqa: E402
from impacket.dcerpc.v5.dtypes import NULL, DWORD  # noqa: E402
from impacket.uuid import string_to_bin  # noqa: E402

CID = '3a4b5c6d-7e8f-4091-a2b3-c4d5e6f70812'
IPID_LOGIN = '0000a401-0b2c-1234-5678-9abcdef01234'
IPID_REMUNK = '0000b001-0b2c-1234-5678-9abcdef01234'
IPID_SERVICES = '0000a802-0b2c-1234-5678-9abcdef01234'
OXID = 0x1122334455667788
OID = 0x0102030405060708
CLSID_LOGIN = '8bc3f05e-d86b-11d0-a075-00c04fb68820'
IID_LOGIN = 'f309ad18-d86a-11d0-a075-00c04fb68820'
IID_SERVICES = '9556dc99-828c-11cf-a37e-00aa003240c7'
IID_SMART = '1c1c45ee-4395-11d2-b60b-00104b703efd'
SERVER_NAME = '198.18.0.50'
BINDINGS = [(7, 'WIN-SRV01[49667]'), (7, '198.18.0.50[49667]')]
SECURITY = [(10, 'NT AUTHORITY\\SYSTEM')]

def orpcthis(flags):
    o = D.ORPCTHIS(); o['cid'] = string_to_bin(CID); o['extensions'] = NULL; o['flags'] = flags
    return o

def ts1(obj):
    """A TypeSerialization1 property: marshalled, renumbered, padded to 8 with 0xFA."""
    data = renumber(obj.getData() + obj.getDataReferents())
    return data + b'\xfa' * ((8 - len(data) % 8) % 8)

def dsa_entries():
    s = b''.join(struct.pack('<H', t) + a.encode('utf-16le') + b'\0\0' for t, a in BINDINGS) + b'\0\0'
    sec = b''.join(struct.pack('<HH', t, 0xffff) + p.encode('utf-16le') + b'\0\0' for t, p in SECURITY) + b'\0\0'
    return s + sec, len(s) // 2

def objref_standard(iid, ipid, refs=5):
    o = D.OBJREF_STANDARD(); o['iid'] = string_to_bin(iid)
    o['std']['flags'] = 0; o['std']['cPublicRefs'] = refs; o['std']['oxid'] = OXID; o['std']['oid'] = OID
    o['std']['ipid'] = string_to_bin(ipid)
    entries, sec = dsa_entries()
    o['saResAddr'] = struct.pack('<HH', len(entries) // 2, sec) + entries
    return o.getData()

def activation_in(props):
    blob = D.ACTIVATION_BLOB()
    blob['CustomHeader']['destCtx'] = 2
    blob['CustomHeader']['pdwReserved'] = NULL
    bodies = []
    for p in props:
        if p == 'instantiation':
            info = D.InstantiationInfoData(); info['classId'] = string_to_bin(CLSID_LOGIN); info['cIID'] = 1
            iid = D.IID(); iid['Data'] = string_to_bin(IID_LOGIN); info['pIID'].append(iid)
            info['thisSize'] = len(ts1(info)); clsid = D.CLSID_InstantiationInfo
            body = ts1(info)
        elif p == 'context':
            a = D.ActivationContextInfoData(); a['pIFDClientCtx'] = NULL; a['pIFDPrototypeCtx'] = NULL
            body = ts1(a); clsid = D.CLSID_ActivationContextInfo
        elif p == 'location':
            l = D.LocationInfoData(); l['machineName'] = NULL
            body = ts1(l); clsid = D.CLSID_ServerLocationInfo
        elif p == 'scmRequest':
            s = D.ScmRequestInfoData(); s['pdwReserved'] = NULL
            s['remoteRequest']['cRequestedProtseqs'] = 1; s['remoteRequest']['pRequestedProtseqs'].append(7)
            body = ts1(s); clsid = D.CLSID_ScmRequestInfo
        elif p == 'special':
            s = D.SpecialPropertiesData(); s['dwSessionId'] = 0xffffffff; s['dwDefaultAuthnLvl'] = 6
            s['guidPartition'] = b'\0' * 16; s['dwOrigClsctx'] = 0x14; s['Reserved'] = b'\0' * 32
            body = ts1(s); clsid = D.CLSID_SpecialSystemProperties
        elif p == 'security':
            s = D.SecurityInfoData(); s['pdwReserved'] = NULL
            s['pServerInfo']['pwszName'] = SERVER_NAME + '\x00'; s['pServerInfo']['pdwReserved'] = NULL
            body = ts1(s); clsid = D.CLSID_SecurityInfo
        c = D.CLSID(); c['Data'] = clsid; blob['CustomHeader']['pclsid'].append(c)
        d = DWORD(); d['Data'] = len(body); blob['CustomHeader']['pSizes'].append(d)
        bodies.append(body)
    blob['Property'] = b''.join(bodies)
    data = blob.getData()
    # The CustomHeader inside is its own NDR stream: renumber it alone (the properties already are).
    hdr_len = struct.unpack_from('<I', data, 8 + 16 + 4)[0]
    return data[:8] + renumber(data[8:8 + hdr_len]) + data[8 + hdr_len:]

def remote_create_instance(props):
    req = D.RemoteCreateInstance(); req['ORPCthis'] = orpcthis(1); req['pUnkOuter'] = NULL
    o = D.OBJREF_CUSTOM(); o['iid'] = D.IID_IActivationPropertiesIn[:-4]; o['clsid'] = D.CLSID_ActivationPropertiesIn
    o['pObjectData'] = activation_in(props); o['ObjectReferenceSize'] = len(o['pObjectData']) + 8
    data = o.getData()
    req['pActProperties']['ulCntData'] = len(data); req['pActProperties']['abData'] = list(data)
    return renumber(req.getData())

def activation_out():
    props = D.PropsOutInfo(); props['cIfs'] = 1
    iid = D.IID(); iid['Data'] = string_to_bin(IID_LOGIN); props['piid'].append(iid)
    hr = W.HRESULT() if hasattr(W, 'HRESULT') else None
    from impacket.dcerpc.v5.dtypes import HRESULT
    h = HRESULT(); h['Data'] = 0; props['phresults'].append(h)
    ptr = D.PMInterfacePointer(); ref = objref_standard(IID_LOGIN, IPID_LOGIN)
    ptr['ulCntData'] = len(ref); ptr['abData'] = list(ref); props['ppIntfData'].append(ptr)
    scm = D.ScmReplyInfoData(); scm['pdwReserved'] = 0
    r = scm['remoteReply']; r['Oxid'] = OXID; r['ipidRemUnknown'] = string_to_bin(IPID_REMUNK); r['authnHint'] = 6
    entries, sec = dsa_entries()
    r['pdsaOxidBindings']['wNumEntries'] = len(entries) // 2; r['pdsaOxidBindings']['wSecurityOffset'] = sec
    for i in range(0, len(entries), 2): r['pdsaOxidBindings']['aStringArray'].append(struct.unpack_from('<H', entries, i)[0])
    blob = D.ACTIVATION_BLOB(); blob['CustomHeader']['destCtx'] = 2; blob['CustomHeader']['pdwReserved'] = NULL
    bodies = [ts1(props), ts1(scm)]
    for clsid, body in zip([D.CLSID_PropsOutInfo, D.CLSID_ScmReplyInfo], bodies):
        c = D.CLSID(); c['Data'] = clsid; blob['CustomHeader']['pclsid'].append(c)
        d = DWORD(); d['Data'] = len(body); blob['CustomHeader']['pSizes'].append(d)
    blob['Property'] = b''.join(bodies)
    data = blob.getData()
    hdr_len = struct.unpack_from('<I', data, 8 + 16 + 4)[0]
    data = data[:8] + renumber(data[8:8 + hdr_len]) + data[8 + hdr_len:]
    o = D.OBJREF_CUSTOM(); o['iid'] = D.IID_IActivationPropertiesOut[:-4]; o['clsid'] = D.CLSID_ActivationPropertiesOut
    o['pObjectData'] = data; o['ObjectReferenceSize'] = len(data) + 8
    return o.getData()

def orpcthat():
    t = D.ORPCTHAT(); t['flags'] = 0; t['extensions'] = NULL
    return t

def main():
    out = {'inputs': dict(cid=CID, ipidLogin=IPID_LOGIN, ipidRemUnknown=IPID_REMUNK, ipidServices=IPID_SERVICES,
                          oxid=str(OXID), oid=str(OID), clsid=CLSID_LOGIN, iidLogin=IID_LOGIN, iidServices=IID_SERVICES,
                          iidSmartEnum=IID_SMART, serverName=SERVER_NAME,
                          bindings=[dict(towerId=t, networkAddress=a) for t, a in BINDINGS],
                          security=[dict(authnSvc=t, principalName=p) for t, p in SECURITY])}
    v = out['vectors'] = {}
    v['orpcthisLocal'] = renumber(orpcthis(1).getData()).hex()
    v['remoteCreateInstanceImpacket'] = remote_create_instance(['instantiation', 'context', 'location', 'scmRequest']).hex()
    v['remoteCreateInstanceFull'] = remote_create_instance(['special', 'instantiation', 'context', 'security', 'location', 'scmRequest']).hex()
    v['objrefStandard'] = objref_standard(IID_SERVICES, IPID_SERVICES).hex()
    c = D.OBJREF_CUSTOM(); c['iid'] = string_to_bin(W.IID_IWbemClassObject[:16].hex() and 'dc12a681-737f-11cf-884d-00aa004b2e24')
    c['clsid'] = W.CLSID_WbemClassObject; c['pObjectData'] = b'\x01\x02\x03\x04\x05\x06\x07\x08'; c['ObjectReferenceSize'] = 16
    v['objrefCustom'] = c.getData().hex()
    rr = D.RemRelease(); rr['ORPCthis'] = orpcthis(0); rr['cInterfaceRefs'] = 2
    for ipid in (IPID_SERVICES, IPID_LOGIN):
        e = D.REMINTERFACEREF(); e['ipid'] = string_to_bin(ipid); e['cPublicRefs'] = 5; e['cPrivateRefs'] = 0; rr['InterfaceRefs'].append(e)
    v['remRelease'] = renumber(rr.getData()).hex()
    qi = D.RemQueryInterface(); qi['ORPCthis'] = orpcthis(0); qi['ripid'] = string_to_bin(IPID_SERVICES); qi['cRefs'] = 5; qi['cIids'] = 1
    i = D.IID(); i['Data'] = string_to_bin(IID_SMART); qi['iids'].append(i)
    v['remQueryInterface'] = renumber(qi.getData()).hex()
    nl = W.IWbemLevel1Login_NTLMLogin(); nl['ORPCthis'] = orpcthis(0)
    nl['wszNetworkResource'] = '//./root/cimv2\x00'; nl['wszPreferredLocale'] = NULL; nl['lFlags'] = 0; nl['pCtx'] = NULL
    v['ntlmLogin'] = renumber(nl.getData()).hex()
    eq = W.IWbemServices_ExecQuery(); eq['ORPCthis'] = orpcthis(0)
    eq['strQueryLanguage']['asData'] = 'WQL'; eq['strQuery']['asData'] = 'SELECT * FROM Win32_Service'
    eq['lFlags'] = W.WBEM_FLAG_FORWARD_ONLY | W.WBEM_FLAG_RETURN_IMMEDIATELY; eq['pCtx'] = NULL
    v['execQuery'] = renumber(eq.getData()).hex()
    nx = W.IEnumWbemClassObject_Next(); nx['ORPCthis'] = orpcthis(0); nx['lTimeout'] = 0xffffffff; nx['uCount'] = 64
    v['next'] = renumber(nx.getData()).hex()
    # Responses, built with impacket's response classes: our decoders must read them.
    rci = D.RemoteCreateInstanceResponse(); rci['ORPCthat'] = orpcthat()
    data = activation_out(); rci['ppActProperties']['ulCntData'] = len(data); rci['ppActProperties']['abData'] = list(data)
    rci['ErrorCode'] = 0
    v['remoteCreateInstanceResponse'] = renumber(rci.getData()).hex()
    lr = W.IWbemLevel1Login_NTLMLoginResponse(); lr['ORPCthat'] = orpcthat()
    ref = objref_standard(IID_SERVICES, IPID_SERVICES); lr['ppNamespace']['ulCntData'] = len(ref); lr['ppNamespace']['abData'] = list(ref)
    lr['ErrorCode'] = 0
    v['ntlmLoginResponse'] = renumber(lr.getData()).hex()
    objs = []
    for name in ('win32-operatingsystem', 'win32-process'):
        unit = bytes.fromhex(open('../../wmio/testdata/%s.hex' % name).read().strip())
        c = D.OBJREF_CUSTOM(); c['iid'] = string_to_bin('dc12a681-737f-11cf-884d-00aa004b2e24'); c['clsid'] = W.CLSID_WbemClassObject
        c['pObjectData'] = unit; c['ObjectReferenceSize'] = len(unit) + 8
        objs.append(c.getData())
    nr = W.IEnumWbemClassObject_NextResponse(); nr['ORPCthat'] = orpcthat()
    for o in objs:
        p = D.PMInterfacePointer(); p['ulCntData'] = len(o); p['abData'] = list(o); nr['apObjects'].append(p)
    nr['puReturned'] = len(objs); nr['ErrorCode'] = 1
    v['nextResponse'] = renumber(nr.getData()).hex()
    json.dump(out, open('impacket-vectors.json', 'w'), indent=2)
    open('impacket-vectors.json', 'a').write('\n')

main()
