#!/usr/bin/python3
# The reference side of bench/windows-inventory.ts: the reads our Windows collector makes over 445
# (collectors/windows/inventory.ts + rpc-remote.ts), done with impacket's library (Debian
# python3-impacket 0.10) the way an impacket user writes them: one SMB login, one IPC$ pipe per
# interface, the h* helpers. Prints one JSON line: what was read (counts), the compared sets, the
# RPC calls per pipe and the SMB messages sent (counted where impacket hands frames to the socket).
#
# usage: BENCH_WINDOWS_PASSWORD=… windows_inventory_impacket.py HOST USER DOMAIN
import json
import os
import re
import sys
import time

from impacket import nmb
from impacket.dcerpc.v5 import lsad, lsat, rpcrt, rrp, samr, scmr, srvs, transport, wkst
from impacket.dcerpc.v5.dtypes import RPC_SID
from impacket.smbconnection import SMBConnection

# The same keys as collectors/windows/{inventory,software,os,hardware}.ts.
TCPIP = 'SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters'
CURRENT_VERSION = 'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'
CURRENT_VERSION_WOW64 = 'SOFTWARE\\Wow6432Node\\Microsoft\\Windows NT\\CurrentVersion'
PRODUCT_OPTIONS = 'SYSTEM\\CurrentControlSet\\Control\\ProductOptions'
UNINSTALL_HIVES = [
    'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall',
    'SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall',
]
CBS_PACKAGES = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages'
CENTRAL_PROCESSOR = 'HARDWARE\\DESCRIPTION\\System\\CentralProcessor'
BIOS = 'HARDWARE\\DESCRIPTION\\System\\BIOS'
SYSTEM_INFORMATION = 'SYSTEM\\CurrentControlSet\\Control\\SystemInformation'
BUILTIN_SID = 'S-1-5-32'
HOTFIX_DETAILS = 500
UPDATE_RELEASE_TYPES = {'security update', 'update', 'hotfix', 'update rollup'}
KB_RE = re.compile(r'\bKB(\d{6,8})\b', re.I)
CBS_KB_RE = re.compile(r'^Package_(?:\d+_)?for_KB(\d{6,8})~', re.I)

ERROR_NO_MORE_ITEMS = 259
ERROR_FILE_NOT_FOUND = 2
STATUS_MORE_ENTRIES = 0x00000105
STATUS_SOME_NOT_MAPPED = 0x00000107
STATUS_NONE_MAPPED = 0xC0000073

counts = {
    'pipes': 0,
    'keysOpened': 0,
    'subkeys': 0,
    'values': 0,
    'services': 0,
    'serviceConfigs': 0,
    'users': 0,
    'groups': 0,
    'members': 0,
    'shares': 0,
    'rpcCalls': 0,
    'smbMessages': 0,
}
calls_per_pipe = {}
ms_per_pipe = {}

# SMB messages as impacket sends them: every frame goes through NetBIOSTCPSession.send_packet.
# An SMB2 frame may chain several messages (NextCommand); impacket does not chain, but count them.
_send_packet = nmb.NetBIOSTCPSession.send_packet


def _counting_send(self, data):
    data = bytes(data)
    n = 1
    if data[:4] == b'\xfeSMB':
        off = 0
        while True:
            nxt = int.from_bytes(data[off + 20:off + 24], 'little')
            if nxt == 0 or off + nxt + 64 > len(data):
                break
            off += nxt
            n += 1
    counts['smbMessages'] += n
    return _send_packet(self, data)


nmb.NetBIOSTCPSession.send_packet = _counting_send

# RPC calls per pipe: every request (retries for a bigger buffer included) goes through request().
_request = rpcrt.DCERPC_v5.request


def _counting_request(self, *args, **kwargs):
    pipe = getattr(self, 'bench_pipe', '?')
    counts['rpcCalls'] += 1
    calls_per_pipe[pipe] = calls_per_pipe.get(pipe, 0) + 1
    started = time.perf_counter()
    try:
        return _request(self, *args, **kwargs)
    finally:
        ms_per_pipe[pipe] = ms_per_pipe.get(pipe, 0) + (time.perf_counter() - started) * 1000


rpcrt.DCERPC_v5.request = _counting_request


def bind(conn, pipe, uuid):
    t = transport.SMBTransport(conn.getRemoteHost(), filename='\\' + pipe, smb_connection=conn)
    dce = t.get_dce_rpc()
    dce.connect()
    dce.bind(uuid)
    dce.bench_pipe = pipe
    counts['pipes'] += 1
    return dce


def text(values, name):
    """A value as trimmed text (numbers in decimal, a MULTI_SZ's first string), as ValueMap.text."""
    v = values.get(name.lower())
    if v is None:
        return None
    if isinstance(v, list):
        v = v[0] if v else None
    if isinstance(v, int):
        v = str(v)
    if not isinstance(v, str):
        return None
    v = v.rstrip('\0').strip()
    return v or None


def as_int(values, name):
    v = values.get(name.lower())
    if isinstance(v, int):
        return v if v >= 0 else None
    if isinstance(v, str):
        s = v.strip()
        if re.fullmatch(r'\d{1,15}', s):
            return int(s)
        if re.fullmatch(r'0x[0-9a-fA-F]{1,12}', s):
            return int(s[2:], 16)
    return None


def decode_value(vtype, data):
    data = b''.join(data) if isinstance(data, list) else bytes(data)
    if vtype in (1, 2):  # REG_SZ, REG_EXPAND_SZ
        return data.decode('utf-16le', 'replace').rstrip('\0')
    if vtype == 7:  # REG_MULTI_SZ
        return [s for s in data.decode('utf-16le', 'replace').split('\0') if s]
    if vtype == 4 and len(data) >= 4:  # REG_DWORD
        return int.from_bytes(data[:4], 'little')
    if vtype == 11 and len(data) >= 8:  # REG_QWORD
        return int.from_bytes(data[:8], 'little')
    return data


class Registry:
    def __init__(self, dce):
        self.dce = dce
        self.hklm = rrp.hOpenLocalMachine(dce)['phKey']

    def _open(self, path):
        try:
            h = rrp.hBaseRegOpenKey(self.dce, self.hklm, path)['phkResult']
        except rrp.DCERPCSessionError as e:
            if e.get_error_code() == ERROR_FILE_NOT_FOUND:
                return None
            raise
        counts['keysOpened'] += 1
        return h

    def subkeys(self, path):
        h = self._open(path)
        if h is None:
            return None
        names = []
        try:
            for i in range(100_000):
                try:
                    r = rrp.hBaseRegEnumKey(self.dce, h, i)
                except rrp.DCERPCSessionError as e:
                    if e.get_error_code() == ERROR_NO_MORE_ITEMS:
                        break
                    raise
                names.append(r['lpNameOut'].rstrip('\0'))
        finally:
            rrp.hBaseRegCloseKey(self.dce, h)
        counts['subkeys'] += len(names)
        return names

    def values(self, path):
        h = self._open(path)
        if h is None:
            return None
        out = {}
        try:
            for i in range(100_000):
                try:
                    r = rrp.hBaseRegEnumValue(self.dce, h, i)
                except rrp.DCERPCSessionError as e:
                    if e.get_error_code() == ERROR_NO_MORE_ITEMS:
                        break
                    raise
                counts['values'] += 1
                name = r['lpValueNameOut'].rstrip('\0').lower()
                out.setdefault(name, decode_value(r['lpType'], r['lpData']))
        finally:
            rrp.hBaseRegCloseKey(self.dce, h)
        return out


def classify(key, values):
    """software / hotfix / hidden, as software.ts classifyUninstallEntry."""
    if as_int(values, 'SystemComponent') == 1:
        return ('hidden', None)
    name = text(values, 'DisplayName')
    if name is None:
        return ('hidden', None)
    release = (text(values, 'ReleaseType') or '').lower()
    if text(values, 'ParentKeyName') is not None or release in UPDATE_RELEASE_TYPES:
        kb = KB_RE.search(key) or KB_RE.search(name)
        return ('hotfix', 'KB' + kb.group(1)) if kb else ('hidden', None)
    return ('software', name)


def read_registry(dce):
    reg = Registry(dce)
    software, hotfixes = set(), set()
    reg.values(TCPIP)
    reg.values(CURRENT_VERSION)
    reg.values(CURRENT_VERSION_WOW64)
    reg.values(PRODUCT_OPTIONS)
    for hive in UNINSTALL_HIVES:
        for key in reg.subkeys(hive) or []:
            values = reg.values(hive + '\\' + key)
            if values is None:
                continue
            kind, what = classify(key, values)
            if kind == 'software':
                software.add(what)
            elif kind == 'hotfix':
                hotfixes.add(what)
    seen = set(hotfixes)
    found = []
    for key in reg.subkeys(CBS_PACKAGES) or []:
        m = CBS_KB_RE.match(key)
        if m and 'KB' + m.group(1) not in seen:
            seen.add('KB' + m.group(1))
            found.append(('KB' + m.group(1), key))
    for i, (kb, key) in enumerate(found):
        if i >= HOTFIX_DETAILS:
            hotfixes.add(kb)
            continue
        v = reg.values(CBS_PACKAGES + '\\' + key) or {}
        state = as_int(v, 'CurrentState')
        if state is None or state == 0x70:
            hotfixes.add(kb)
    cpus = reg.subkeys(CENTRAL_PROCESSOR) or []
    if cpus:
        reg.values(CENTRAL_PROCESSOR + '\\' + cpus[0])
    reg.values(BIOS)
    reg.values(SYSTEM_INFORMATION)
    rrp.hBaseRegCloseKey(dce, reg.hklm)
    return software, hotfixes


def read_services(dce):
    scm = scmr.hROpenSCManagerW(
        dce, dwDesiredAccess=scmr.SC_MANAGER_CONNECT | scmr.SC_MANAGER_ENUMERATE_SERVICE
    )['lpScHandle']
    names = set()
    entries = scmr.hREnumServicesStatusW(
        dce, scm, dwServiceType=scmr.SERVICE_WIN32_OWN_PROCESS | scmr.SERVICE_WIN32_SHARE_PROCESS
    )
    for e in entries:
        name = e['lpServiceName'].rstrip('\0')
        names.add(name)
        try:
            h = scmr.hROpenServiceW(
                dce, scm, name + '\0', scmr.SERVICE_QUERY_CONFIG | scmr.SERVICE_QUERY_STATUS
            )['lpServiceHandle']
        except scmr.DCERPCSessionError:
            continue
        try:
            scmr.hRQueryServiceConfigW(dce, h)
            counts['serviceConfigs'] += 1
        except scmr.DCERPCSessionError:
            pass
        finally:
            scmr.hRCloseServiceHandle(dce, h)
    scmr.hRCloseServiceHandle(dce, scm)
    counts['services'] = len(entries)
    return names


def enumerate_all(fn):
    out, context = [], 0
    for _ in range(10_000):
        try:
            r = fn(context)
        except samr.DCERPCSessionError as e:
            if e.get_error_code() != STATUS_MORE_ENTRIES:
                raise
            r = e.get_packet()
        out += [(x['Name'], x['RelativeId']) for x in r['Buffer']['Buffer']]
        if r['ErrorCode'] != STATUS_MORE_ENTRIES:
            break
        context = r['EnumerationContext']
    return out


def read_accounts(dce, lsa, policy):
    """Users and aliases (BUILTIN, then the account domain) with members named through LSA."""
    account = lsad.hLsarQueryInformationPolicy(
        lsa, policy, lsad.POLICY_INFORMATION_CLASS.PolicyAccountDomainInformation
    )['PolicyInformation']['PolicyAccountDomainInfo']
    server = samr.hSamrConnect(dce)['ServerHandle']
    domain = samr.hSamrOpenDomain(dce, server, domainId=account['DomainSid'])['DomainHandle']
    builtin_sid = RPC_SID()
    builtin_sid.fromCanonical(BUILTIN_SID)
    builtin = samr.hSamrOpenDomain(dce, server, domainId=builtin_sid)['DomainHandle']
    users, groups = set(), set()
    for name, rid in enumerate_all(
        lambda c: samr.hSamrEnumerateUsersInDomain(dce, domain, 0, enumerationContext=c)
    ):
        h = samr.hSamrOpenUser(dce, domain, samr.USER_READ_GENERAL | samr.USER_READ_ACCOUNT, rid)[
            'UserHandle'
        ]
        try:
            g = samr.hSamrQueryInformationUser(
                dce, h, samr.USER_INFORMATION_CLASS.UserGeneralInformation
            )
            samr.hSamrQueryInformationUser(dce, h, samr.USER_INFORMATION_CLASS.UserControlInformation)
            users.add(g['Buffer']['General']['UserName'] or name)
        finally:
            samr.hSamrCloseHandle(dce, h)
    for d in (builtin, domain):
        for name, rid in enumerate_all(
            lambda c: samr.hSamrEnumerateAliasesInDomain(dce, d, enumerationContext=c)
        ):
            h = samr.hSamrOpenAlias(dce, d, samr.ALIAS_READ_INFORMATION | samr.ALIAS_LIST_MEMBERS, rid)[
                'AliasHandle'
            ]
            try:
                samr.hSamrQueryInformationAlias(dce, h)
                members = [
                    m['SidPointer'].formatCanonical()
                    for m in samr.hSamrGetMembersInAlias(dce, h)['Members']['Sids']
                ]
            finally:
                samr.hSamrCloseHandle(dce, h)
            groups.add(name)
            counts['members'] += len(members)
            if members:
                try:
                    lsat.hLsarLookupSids(lsa, policy, members)
                except lsat.DCERPCSessionError as e:
                    if e.get_error_code() not in (STATUS_SOME_NOT_MAPPED, STATUS_NONE_MAPPED):
                        raise
    for h in (domain, builtin, server):
        samr.hSamrCloseHandle(dce, h)
    counts['users'], counts['groups'] = len(users), len(groups)
    return users, groups


def main():
    host, user, domain = sys.argv[1:4]
    password = os.environ['BENCH_WINDOWS_PASSWORD']
    started = time.perf_counter()
    conn = SMBConnection(host, host, sess_port=445, timeout=30)
    conn.login(user, password, domain)
    login_ms = (time.perf_counter() - started) * 1000
    pipes = []
    try:
        srv = bind(conn, 'srvsvc', srvs.MSRPC_UUID_SRVS)
        wks = bind(conn, 'wkssvc', wkst.MSRPC_UUID_WKST)
        lsa = bind(conn, 'lsarpc', lsad.MSRPC_UUID_LSAD)
        pipes += [srv, wks, lsa]
        srvs.hNetrServerGetInfo(srv, 101)
        wkst.hNetrWkstaGetInfo(wks, 100)
        policy = lsad.hLsarOpenPolicy2(lsa, lsad.POLICY_VIEW_LOCAL_INFORMATION | lsad.POLICY_LOOKUP_NAMES)[
            'PolicyHandle'
        ]
        for cls in (
            lsad.POLICY_INFORMATION_CLASS.PolicyPrimaryDomainInformation,
            lsad.POLICY_INFORMATION_CLASS.PolicyAccountDomainInformation,
        ):
            lsad.hLsarQueryInformationPolicy(lsa, policy, cls)
        reg = bind(conn, 'winreg', rrp.MSRPC_UUID_RRP)
        pipes.append(reg)
        software, hotfixes = read_registry(reg)
        svc = bind(conn, 'svcctl', scmr.MSRPC_UUID_SCMR)
        pipes.append(svc)
        services = read_services(svc)
        sam = bind(conn, 'samr', samr.MSRPC_UUID_SAMR)
        pipes.append(sam)
        users, groups = read_accounts(sam, lsa, policy)
        shares = {
            s['shi1_netname'].rstrip('\0')
            for s in srvs.hNetrShareEnum(srv, 1)['InfoStruct']['ShareInfo']['Level1']['Buffer']
        }
        counts['shares'] = len(shares)
        try:
            wkst.hNetrWkstaUserEnum(wks, 1)
        except rpcrt.DCERPCException:
            pass  # needs administrator rights, as ours notes `denied`
        lsad.hLsarClose(lsa, policy)
    finally:
        for dce in pipes:
            dce.disconnect()
        conn.logoff()
        conn.close()
    elapsed_ms = (time.perf_counter() - started) * 1000
    print(
        json.dumps(
            {
                'ms': round(elapsed_ms),
                'loginMs': round(login_ms),
                'counts': {
                    **counts,
                    'callsPerPipe': calls_per_pipe,
                    'msPerPipe': {k: round(v) for k, v in ms_per_pipe.items()},
                },
                'sets': {
                    'software': sorted(software),
                    'hotfixes': sorted(hotfixes),
                    'services': sorted(services),
                    'users': sorted(users),
                    'groups': sorted(groups),
                    'shares': sorted(shares),
                },
            }
        )
    )


main()
