# Produces impacket-vectors.json: request stubs encoded by impacket 0.10 (Debian python3-impacket)
# and, when run in the lab's scanner namespace, response stubs from the lab's Samba as impacket
# received them, with impacket's reading of them. Run: ip netns exec <prefix>-scan /usr/bin/python3 impacket-vectors.py
# Referent ids are random in impacket: each request is encoded twice with different seeds and the
# bytes that differ are masked ('mask': 1 = referent-id byte). Alignment padding (0xbf/0xab/0xaa in
# impacket) is patched to zeros, as this client sends it.
import json, random, sys, os
import impacket.dcerpc.v5.ndr as ndrmod
src = open(ndrmod.__file__).read()
for pad in ("b'\\xbf'*pad", "b'\\xAB'*pad", "b'\\xaa'*pad", "b'\\xab'*pad"):
    src = src.replace(pad, "b'\\x00'*pad")
exec(compile(src, ndrmod.__file__, 'exec'), ndrmod.__dict__)
from impacket.dcerpc.v5 import srvs, wkst, lsad, lsat, samr, rrp, scmr, epm, transport
from impacket.dcerpc.v5.dtypes import NULL, RPC_SID
from impacket.uuid import uuidtup_to_bin

H = b'\x01\x00\x00\x00' + bytes(range(16))
def handle(r, name): r.fields[name].fromString(H)

def sid(s):
    r = RPC_SID(); r.fromCanonical(s); return r

def build(fn):
    out = []
    for seed in (1, 2):
        random.seed(seed)
        out.append(fn().getData())
    a, b = out
    assert len(a) == len(b)
    return {'hex': a.hex(), 'mask': ''.join('1' if x != y else '0' for x, y in zip(a, b))}

def server_get_info():
    r = srvs.NetrServerGetInfo(); r['ServerName'] = NULL; r['Level'] = 101; return r
def share_enum():
    r = srvs.NetrShareEnum(); r['ServerName'] = NULL
    r['InfoStruct']['Level'] = 1; r['InfoStruct']['ShareInfo']['tag'] = 1
    r['InfoStruct']['ShareInfo']['Level1']['Buffer'] = NULL
    r['PreferedMaximumLength'] = 0xffffffff; r['ResumeHandle'] = 0; return r
def wksta_get_info():
    r = wkst.NetrWkstaGetInfo(); r['ServerName'] = NULL; r['Level'] = 100; return r
def wksta_user_enum():
    r = wkst.NetrWkstaUserEnum(); r['ServerName'] = NULL
    r['UserInfo']['Level'] = 1; r['UserInfo']['WkstaUserInfo']['tag'] = 1
    r['UserInfo']['WkstaUserInfo']['Level1']['Buffer'] = NULL
    r['PreferredMaximumLength'] = 0xffffffff; r['ResumeHandle'] = 0; return r
def open_policy2():
    r = lsad.LsarOpenPolicy2(); r['SystemName'] = NULL
    r['ObjectAttributes']['RootDirectory'] = NULL; r['ObjectAttributes']['ObjectName'] = NULL
    r['ObjectAttributes']['SecurityDescriptor'] = NULL; r['ObjectAttributes']['SecurityQualityOfService'] = NULL
    r['ObjectAttributes']['Length'] = 24  # MS-LSAD: ignored by servers; we send the struct's size as Windows does
    r['DesiredAccess'] = 0x801; return r
def query_info_policy():
    r = lsad.LsarQueryInformationPolicy(); handle(r, 'PolicyHandle'); r['InformationClass'] = 5; return r
def lookup_sids():
    r = lsat.LsarLookupSids(); handle(r, 'PolicyHandle')
    for s in ['S-1-5-21-1-2-3-500', 'S-1-5-32-544']:
        e = lsat.LSAPR_SID_INFORMATION(); e['Sid'] = sid(s); r['SidEnumBuffer']['SidInfo'].append(e)
    r['SidEnumBuffer']['Entries'] = 2
    r['TranslatedNames']['Names'] = NULL; r['LookupLevel'] = 1; r['MappedCount'] = 0; return r
def lookup_names():
    r = lsat.LsarLookupNames(); handle(r, 'PolicyHandle'); r['Count'] = 2
    for n in ['labwin', 'Administrators']:
        e = lsat.RPC_UNICODE_STRING(); e['Data'] = n; r['Names'].append(e)
    r['TranslatedSids']['Sids'] = NULL; r['LookupLevel'] = 1; r['MappedCount'] = 0; return r
def samr_connect():
    r = samr.SamrConnect(); r['ServerName'] = NULL; r['DesiredAccess'] = 0x31; return r
def samr_enum_domains():
    r = samr.SamrEnumerateDomainsInSamServer(); handle(r, 'ServerHandle'); r['EnumerationContext'] = 0; r['PreferedMaximumLength'] = 0xffff; return r
def samr_lookup_domain():
    r = samr.SamrLookupDomainInSamServer(); handle(r, 'ServerHandle'); r['Name'] = 'LABSMB'; return r
def samr_open_domain():
    r = samr.SamrOpenDomain(); handle(r, 'ServerHandle'); r['DesiredAccess'] = 0x305; r['DomainId'] = sid('S-1-5-21-2944953481-4184876485-1775938753'); return r
def samr_enum_users():
    r = samr.SamrEnumerateUsersInDomain(); handle(r, 'DomainHandle'); r['EnumerationContext'] = 0; r['UserAccountControl'] = 0; r['PreferedMaximumLength'] = 0xffff; return r
def samr_enum_aliases():
    r = samr.SamrEnumerateAliasesInDomain(); handle(r, 'DomainHandle'); r['EnumerationContext'] = 0; r['PreferedMaximumLength'] = 0xffff; return r
def samr_open_user():
    r = samr.SamrOpenUser(); handle(r, 'DomainHandle'); r['DesiredAccess'] = 0x11; r['UserId'] = 1000; return r
def samr_query_user():
    r = samr.SamrQueryInformationUser(); handle(r, 'UserHandle'); r['UserInformationClass'] = 1; return r
def samr_query_alias():
    r = samr.SamrQueryInformationAlias(); handle(r, 'AliasHandle'); r['AliasInformationClass'] = 1; return r
def reg_open_hklm():
    r = rrp.OpenLocalMachine(); r['ServerName'] = NULL; r['samDesired'] = 0x20019; return r
def reg_open_key():
    r = rrp.BaseRegOpenKey(); handle(r, 'hKey'); r['lpSubKey'] = 'SOFTWARE\\Microsoft\x00'; r['dwOptions'] = 0; r['samDesired'] = 0x20019; return r
def svc_open_scm():
    r = scmr.ROpenSCManagerW(); r['lpMachineName'] = NULL; r['lpDatabaseName'] = 'ServicesActive\x00'; r['dwDesiredAccess'] = 5; return r
def svc_enum():
    r = scmr.REnumServicesStatusW(); handle(r, 'hSCManager'); r['dwServiceType'] = 0x30; r['dwServiceState'] = 3; r['cbBufSize'] = 16384; r['lpResumeIndex'] = 0; return r
def svc_open():
    r = scmr.ROpenServiceW(); handle(r, 'hSCManager'); r['lpServiceName'] = 'Spooler\x00'; r['dwDesiredAccess'] = 5; return r
def svc_query_config():
    r = scmr.RQueryServiceConfigW(); handle(r, 'hService'); r['cbBufSize'] = 1024; return r
def svc_create():
    r = scmr.RCreateServiceW(); handle(r, 'hSCManager')
    r['lpServiceName'] = 'nsexec\x00'; r['lpDisplayName'] = 'NopeSight exec\x00'
    r['dwDesiredAccess'] = 0x10034; r['dwServiceType'] = 0x10; r['dwStartType'] = 3; r['dwErrorControl'] = 0
    r['lpBinaryPathName'] = 'C:\\Windows\\System32\\cmd.exe /c ver\x00'
    r['lpLoadOrderGroup'] = NULL; r['lpdwTagId'] = NULL; r['lpDependencies'] = NULL; r['dwDependSize'] = 0
    r['lpServiceStartName'] = NULL; r['lpPassword'] = NULL; r['dwPwSize'] = 0; return r
def svc_start():
    r = scmr.RStartServiceW(); handle(r, 'hService'); r['argc'] = 0; r['argv'] = NULL; return r
def svc_delete():
    r = scmr.RDeleteService(); handle(r, 'hService'); return r
def ept_map():
    r = epm.ept_map()
    tower = epm.EPMTower(); floors = []
    f1 = epm.EPMRPCInterface(); f1['InterfaceUUID'] = uuidtup_to_bin(('4b324fc8-1670-01d3-1278-5a47bf6ee188', '3.0'))[:16]; f1['MajorVersion'] = 3; f1['MinorVersion'] = 0; floors.append(f1)
    f2 = epm.EPMRPCDataRepresentation(); f2['DataRepUuid'] = uuidtup_to_bin(('8a885d04-1ceb-11c9-9fe8-08002b104860', '2.0'))[:16]; f2['MajorVersion'] = 2; f2['MinorVersion'] = 0; floors.append(f2)
    f3 = epm.EPMProtocolIdentifier(); f3['ProtIdentifier'] = 0xb; floors.append(f3)
    f4 = epm.EPMPortAddr(); f4['IpPort'] = 0; floors.append(f4)
    f5 = epm.EPMHostAddr(); import socket; f5['Ip4addr'] = socket.inet_aton('0.0.0.0'); floors.append(f5)
    tower['NumberOfFloors'] = 5; tower['Floors'] = b''.join(f.getData() for f in floors)
    r['obj'] = NULL; r['max_towers'] = 4
    r['map_tower']['tower_length'] = len(tower.getData()); r['map_tower']['tower_octet_string'] = tower.getData()
    r['entry_handle'] = epm.ept_lookup_handle_t(); r['entry_handle']['context_handle_attributes'] = 0; r['entry_handle']['context_handle_uuid'] = b'\x00' * 16
    return r

requests = {n: build(f) for n, f in [
    ('srvsvc.NetrServerGetInfo101', server_get_info), ('srvsvc.NetrShareEnum1', share_enum),
    ('wkssvc.NetrWkstaGetInfo100', wksta_get_info), ('wkssvc.NetrWkstaUserEnum1', wksta_user_enum),
    ('lsarpc.LsarOpenPolicy2', open_policy2), ('lsarpc.LsarQueryInformationPolicy5', query_info_policy),
    ('lsarpc.LsarLookupSids', lookup_sids), ('lsarpc.LsarLookupNames', lookup_names),
    ('samr.SamrConnect', samr_connect), ('samr.SamrEnumerateDomainsInSamServer', samr_enum_domains),
    ('samr.SamrLookupDomainInSamServer', samr_lookup_domain), ('samr.SamrOpenDomain', samr_open_domain),
    ('samr.SamrEnumerateUsersInDomain', samr_enum_users), ('samr.SamrEnumerateAliasesInDomain', samr_enum_aliases),
    ('samr.SamrOpenUser', samr_open_user), ('samr.SamrQueryInformationUser1', samr_query_user),
    ('samr.SamrQueryInformationAlias1', samr_query_alias),
    ('winreg.OpenLocalMachine', reg_open_hklm), ('winreg.BaseRegOpenKey', reg_open_key),
    ('svcctl.ROpenSCManagerW', svc_open_scm), ('svcctl.REnumServicesStatusW', svc_enum), ('svcctl.ROpenServiceW', svc_open),
    ('svcctl.RQueryServiceConfigW', svc_query_config), ('svcctl.RCreateServiceW', svc_create),
    ('svcctl.RStartServiceW', svc_start), ('svcctl.RDeleteService', svc_delete), ('epm.ept_map', ept_map),
]}

responses = {}
if len(sys.argv) > 1 and sys.argv[1] == '--lab':
    host = '198.18.0.30'
    def dce_for(binding, uuid, level=6):
        t = transport.DCERPCTransportFactory(binding); t.set_credentials('labwin', 'Lab-Win-Pass-1', 'NOPELAB')
        d = t.get_dce_rpc(); d.set_auth_level(level); d.connect(); d.bind(uuid); return d
    def raw(d, req):
        d.call(req.opnum, req); data = d.recv(); return data
    d = dce_for('ncacn_np:%s[\\pipe\\srvsvc]' % host, srvs.MSRPC_UUID_SRVS)
    data = raw(d, share_enum()); p = srvs.NetrShareEnumResponse(data)
    responses['srvsvc.NetrShareEnum1'] = {'hex': data.hex(), 'impacket': [[e['shi1_netname'][:-1], e['shi1_type'], e['shi1_remark'][:-1]] for e in p['InfoStruct']['ShareInfo']['Level1']['Buffer']]}
    d = dce_for('ncacn_np:%s[\\pipe\\lsarpc]' % host, lsat.MSRPC_UUID_LSAT)
    pol = lsad.hLsarOpenPolicy2(d, 0x801)['PolicyHandle']
    dom = lsad.hLsarQueryInformationPolicy(d, pol, 5)['PolicyInformation']['PolicyAccountDomainInfo']
    dsid = dom['DomainSid'].formatCanonical()
    req = lsat.LsarLookupSids(); req['PolicyHandle'] = pol
    for s in [dsid + '-1000', 'S-1-5-32-544', 'S-1-5-21-1-2-3-4']:
        e = lsat.LSAPR_SID_INFORMATION(); e['Sid'] = sid(s); req['SidEnumBuffer']['SidInfo'].append(e)
    req['SidEnumBuffer']['Entries'] = 3; req['TranslatedNames']['Names'] = NULL; req['LookupLevel'] = 1; req['MappedCount'] = 0
    data = raw(d, req); p = lsat.LsarLookupSidsResponse(data)
    doms = [x['Name'] for x in p['ReferencedDomains']['Domains']]
    responses['lsarpc.LsarLookupSids'] = {'hex': data.hex(), 'impacket': [[n['Use'], n['Name'], doms[n['DomainIndex']] if n['DomainIndex'] >= 0 else ''] for n in p['TranslatedNames']['Names']]}
    req = lsad.LsarQueryInformationPolicy(); req['PolicyHandle'] = pol; req['InformationClass'] = 5
    data = raw(d, req)
    responses['lsarpc.LsarQueryInformationPolicy5'] = {'hex': data.hex(), 'impacket': [dom['DomainName'], dsid]}
    d = dce_for('ncacn_np:%s[\\pipe\\samr]' % host, samr.MSRPC_UUID_SAMR)
    sh = samr.hSamrConnect(d)['ServerHandle']
    dh = samr.hSamrOpenDomain(d, sh, domainId=sid(dsid))['DomainHandle']
    req = samr.SamrEnumerateUsersInDomain(); req['DomainHandle'] = dh; req['EnumerationContext'] = 0; req['UserAccountControl'] = 0; req['PreferedMaximumLength'] = 0xffff
    data = raw(d, req); p = samr.SamrEnumerateUsersInDomainResponse(data)
    responses['samr.SamrEnumerateUsersInDomain'] = {'hex': data.hex(), 'impacket': [[e['RelativeId'], e['Name']] for e in p['Buffer']['Buffer']]}
    uh = samr.hSamrOpenUser(d, dh, 0x11, 1000)['UserHandle']
    req = samr.SamrQueryInformationUser(); req['UserHandle'] = uh; req['UserInformationClass'] = 1
    data = raw(d, req); p = samr.SamrQueryInformationUserResponse(data)
    g = p['Buffer']['General']
    responses['samr.SamrQueryInformationUser1'] = {'hex': data.hex(), 'impacket': [g['UserName'], g['FullName'], g['PrimaryGroupId'], g['AdminComment'], g['UserComment']]}
    # A local group planted with a description (test/lab/services/smb-registry.sh: labapps).
    alias = [e for e in samr.hSamrEnumerateAliasesInDomain(d, dh)['Buffer']['Buffer'] if e['Name'] == 'labapps'][0]
    ah = samr.hSamrOpenAlias(d, dh, 0xc, alias['RelativeId'])['AliasHandle']
    req = samr.SamrQueryInformationAlias(); req['AliasHandle'] = ah; req['AliasInformationClass'] = 1
    data = raw(d, req); g = samr.SamrQueryInformationAliasResponse(data)['Buffer']['General']
    responses['samr.SamrQueryInformationAlias1'] = {'hex': data.hex(), 'impacket': [g['Name'], g['MemberCount'], g['AdminComment']]}
    d = dce_for('ncacn_np:%s[\\pipe\\svcctl]' % host, scmr.MSRPC_UUID_SCMR)
    scm = scmr.hROpenSCManagerW(d, dwDesiredAccess=5)['lpScHandle']
    req = scmr.REnumServicesStatusW(); req['hSCManager'] = scm; req['dwServiceType'] = 0x30; req['dwServiceState'] = 3; req['cbBufSize'] = 16384; req['lpResumeIndex'] = 0
    data = raw(d, req)
    svcs = scmr.hREnumServicesStatusW(d, scm)
    responses['svcctl.REnumServicesStatusW'] = {'hex': data.hex(), 'impacket': [[s['lpServiceName'][:-1], s['lpDisplayName'][:-1], s['ServiceStatus']['dwCurrentState']] for s in svcs]}
    sv = scmr.hROpenServiceW(d, scm, 'Spooler\x00', dwDesiredAccess=5)['lpServiceHandle']
    req = scmr.RQueryServiceConfigW(); req['hService'] = sv; req['cbBufSize'] = 1024
    data = raw(d, req); c = scmr.RQueryServiceConfigWResponse(data)['lpServiceConfig']
    responses['svcctl.RQueryServiceConfigW'] = {'hex': data.hex(), 'impacket': [c['dwServiceType'], c['dwStartType'], c['lpBinaryPathName'][:-1], c['lpServiceStartName'][:-1], c['lpDisplayName'][:-1]]}
    d = dce_for('ncacn_np:%s[\\pipe\\winreg]' % host, rrp.MSRPC_UUID_RRP)
    hk = rrp.hOpenLocalMachine(d)['phKey']
    k = rrp.hBaseRegOpenKey(d, hk, 'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion')['phkResult']
    req = rrp.BaseRegQueryValue(); req['hKey'] = k; req['lpValueName'] = 'SystemRoot\x00'; req['lpType'] = 0; req['lpcbData'] = 4096; req['lpcbLen'] = 0
    req['lpData'] = b' ' * 512; req['lpcbData'] = 512; req['lpcbLen'] = 512
    data = raw(d, req)
    t, v = rrp.hBaseRegQueryValue(d, k, 'SystemRoot')
    responses['winreg.BaseRegQueryValue'] = {'hex': data.hex(), 'impacket': [t, v[:-1] if v.endswith('\x00') else v]}

out = {'note': 'Produced by impacket-vectors.py with impacket 0.10 (Debian python3-impacket); responses from the lab Samba (198.18.0.30) over named pipes at auth level privacy.', 'requests': requests, 'responses': responses}
json.dump(out, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'impacket-vectors.json'), 'w'), indent=1)
print('requests', len(requests), 'responses', len(responses))
