// Local users and groups from SAM, membership (domain vs workgroup) from LSA, and which group
// members are the machine's own accounts, BUILTIN ones or domain accounts.
import type {
  RemoteAccounts,
  RemoteGroup,
  RemoteMembership,
  RemoteWorkstationInfo,
} from './remote.js';

/** SAMR USER_ACCOUNT codes (MS-SAMR 2.2.1.12; not the LDAP UF_ bits). */
const UF = { disabled: 0x1, lockedOut: 0x400 } as const;
const BUILTIN_SID = 'S-1-5-32';

export type AccountOrigin = 'local' | 'builtin' | 'domain' | 'well-known';

export interface WindowsUser {
  name: string;
  sid: string;
  fullName: string | null;
  description: string | null;
  disabled: boolean | null;
  lockedOut: boolean | null;
  /** Local groups (`BUILTIN\Administrators`, `HOST\app-ops`) this account is a member of. */
  groups: string[];
}

export interface WindowsGroupMember {
  name: string | null;
  domain: string | null;
  sid: string;
  origin: AccountOrigin;
}

export interface WindowsGroup {
  name: string;
  domain: string;
  sid: string;
  description: string | null;
  members: WindowsGroupMember[];
}

export interface WindowsMembership {
  /** `domain` when LSA names a primary domain with a SID; `workgroup` otherwise. */
  type: 'domain' | 'workgroup';
  /** The domain's or workgroup's NetBIOS name. */
  name: string | null;
  /** The domain's SID (null in a workgroup). */
  domainSid: string | null;
  /** The machine's own account domain (its name and SID). */
  machineSid: string | null;
}

/**
 * Domain vs workgroup from LSA's primary domain (a SID means joined); the name from LSA, else
 * from wkssvc's langroup.
 * @example windowsMembership({ primaryDomain: { name: 'NOPELAB', sid: null }, accountDomain: … }, null).type // → 'workgroup'
 */
export function windowsMembership(
  lsa: RemoteMembership | null,
  wksta: RemoteWorkstationInfo | null,
): WindowsMembership {
  const sid = lsa?.primaryDomain.sid ?? null;
  return {
    type: sid ? 'domain' : 'workgroup',
    name: lsa?.primaryDomain.name ?? wksta?.langroup ?? null,
    domainSid: sid,
    machineSid: lsa?.accountDomain.sid ?? null,
  };
}

/** Where an account SID comes from, relative to the machine's SID and its domain's. */
export function accountOrigin(
  sid: string,
  machineSid: string | null,
  domainSid: string | null,
): AccountOrigin {
  const under = (prefix: string | null): boolean =>
    prefix !== null && sid.toUpperCase().startsWith(`${prefix.toUpperCase()}-`);
  if (under(machineSid)) return 'local';
  if (under(BUILTIN_SID)) return 'builtin';
  if (under(domainSid)) return 'domain';
  // Another S-1-5-21 authority is a trusted domain's account; the rest are well-known SIDs.
  if (/^S-1-5-21-/i.test(sid)) return 'domain';
  return 'well-known';
}

/**
 * Users and groups, each group's members classified, and each user's group list filled from the
 * groups it is a member of (by SID).
 */
export function windowsAccounts(
  accounts: RemoteAccounts,
  membership: WindowsMembership,
): { users: WindowsUser[]; groups: WindowsGroup[] } {
  const machineSid = membership.machineSid ?? accounts.accountDomain.sid;
  const groups: WindowsGroup[] = accounts.groups.items.map((g: RemoteGroup) => ({
    name: g.name,
    domain: g.domain,
    sid: g.sid,
    description: g.description,
    members: g.members.map((m) => ({
      name: m.name,
      domain: m.domain,
      sid: m.sid,
      origin: accountOrigin(m.sid, machineSid, membership.domainSid),
    })),
  }));
  const groupsOf = new Map<string, string[]>();
  for (const g of groups) {
    for (const m of g.members) {
      const key = m.sid.toUpperCase();
      const list = groupsOf.get(key) ?? [];
      list.push(`${g.domain}\\${g.name}`);
      groupsOf.set(key, list);
    }
  }
  const users = accounts.users.items.map((u) => {
    const sid = `${accounts.accountDomain.sid}-${u.rid}`;
    const uac = u.accountControl;
    return {
      name: u.name,
      sid,
      fullName: u.fullName,
      description: u.description,
      disabled: uac === null ? null : (uac & UF.disabled) !== 0,
      lockedOut: uac === null ? null : (uac & UF.lockedOut) !== 0,
      groups: (groupsOf.get(sid.toUpperCase()) ?? []).sort(),
    };
  });
  users.sort((a, b) => a.name.localeCompare(b.name));
  groups.sort((a, b) => a.domain.localeCompare(b.domain) || a.name.localeCompare(b.name));
  return { users, groups };
}
