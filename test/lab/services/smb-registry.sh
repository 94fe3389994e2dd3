# A fake Windows planted in the lab Samba (sourced by lab.sh; smb_up calls smb_plant_windows):
# registry keys as Windows has them (both Uninstall hives, CPU/BIOS, servicing packages, the
# product facts) and extra local users and groups. The Windows collector's lab test compares what
# the scanner reports with what Samba itself says about this data.
# shellcheck shell=bash

# Samba answers HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion from built-in code (SystemRoot
# and CurrentVersion only, whatever registry.tdb holds there), so the product facts are planted in
# the 32-bit view (Wow6432Node), which real 64-bit Windows keeps with the same values.
SMB_WIN_CV='HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows NT\CurrentVersion'
SMB_WIN_UNINSTALL='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
SMB_WIN_UNINSTALL32='HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
SMB_WIN_CBS='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages'
# Extra accounts: name:uid:password:full name.
SMB_WIN_USERS=('labsvc:60121:Lab-Svc-Pass-1:Lab service account' 'labops:60122:Lab-Ops-Pass-1:Lab operator')
# Local groups: name:gid:comment:members.
SMB_WIN_GROUPS=('labapps:60131:Lab application operators:labwin,labsvc' 'labaudit:60132:Lab auditors:labops')
SMB_WIN_AUDIT_COMMENT='Lab auditors: Prüfung & Revision'

# The `net` commands, one per line (run in one shell inside the host's private /etc).
smb_windows_script() {
  local conf=$1
  local k
  echo "set -e"
  echo "N() { net -s '$conf' \"\$@\" >/dev/null; }"
  echo "K() { N registry createkey \"\$1\"; }"
  echo "V() { N registry setvalue \"\$@\"; }"
  # Product facts (Windows Server 2022 Standard, 21H2, build 20348.2340).
  echo "K '$SMB_WIN_CV'"
  echo "V '$SMB_WIN_CV' ProductName sz 'Windows Server 2022 Standard'"
  echo "V '$SMB_WIN_CV' DisplayVersion sz '21H2'"
  echo "V '$SMB_WIN_CV' CurrentBuild sz '20348'"
  echo "V '$SMB_WIN_CV' CurrentBuildNumber sz '20348'"
  echo "V '$SMB_WIN_CV' UBR dword 2340"
  echo "V '$SMB_WIN_CV' EditionID sz 'ServerStandard'"
  echo "V '$SMB_WIN_CV' InstallationType sz 'Server'"
  echo "V '$SMB_WIN_CV' InstallDate dword 1700000000"
  echo "V '$SMB_WIN_CV' RegisteredOwner sz 'NopeSight Lab'"
  echo "V '$SMB_WIN_CV' RegisteredOrganization sz 'NopeSight'"
  echo "V '$SMB_WIN_CV' CurrentMajorVersionNumber dword 10"
  echo "V '$SMB_WIN_CV' CurrentMinorVersionNumber dword 0"
  # 64-bit Uninstall hive: three programs, a SystemComponent, a key without DisplayName, an update.
  k="$SMB_WIN_UNINSTALL"
  echo "K '$k\\7-Zip'"
  echo "V '$k\\7-Zip' DisplayName sz '7-Zip 23.01 (x64)'"
  echo "V '$k\\7-Zip' DisplayVersion sz '23.01'"
  echo "V '$k\\7-Zip' Publisher sz 'Igor Pavlov'"
  echo "K '$k\\{23170F69-40C1-2702-2301-000001000000}'"
  echo "V '$k\\{23170F69-40C1-2702-2301-000001000000}' DisplayName sz 'PostgreSQL 16'"
  echo "V '$k\\{23170F69-40C1-2702-2301-000001000000}' DisplayVersion sz '16.1-1'"
  echo "V '$k\\{23170F69-40C1-2702-2301-000001000000}' Publisher sz 'PostgreSQL Global Development Group'"
  echo "V '$k\\{23170F69-40C1-2702-2301-000001000000}' InstallDate sz '20231121'"
  echo "V '$k\\{23170F69-40C1-2702-2301-000001000000}' WindowsInstaller dword 1"
  echo "K '$k\\Mozilla Firefox 115.6.0 ESR (x64 en-US)'"
  echo "V '$k\\Mozilla Firefox 115.6.0 ESR (x64 en-US)' DisplayName sz 'Mozilla Firefox ESR (x64 en-US)'"
  echo "V '$k\\Mozilla Firefox 115.6.0 ESR (x64 en-US)' DisplayVersion sz '115.6.0'"
  echo "V '$k\\Mozilla Firefox 115.6.0 ESR (x64 en-US)' Publisher sz 'Mozilla'"
  echo "K '$k\\{A8F2E4A1-1C2B-4B6E-9D2E-5C1A3B7D9E01}'"
  echo "V '$k\\{A8F2E4A1-1C2B-4B6E-9D2E-5C1A3B7D9E01}' DisplayName sz 'Microsoft Visual C++ 2022 X64 Minimum Runtime - 14.38.33130'"
  echo "V '$k\\{A8F2E4A1-1C2B-4B6E-9D2E-5C1A3B7D9E01}' DisplayVersion sz '14.38.33130'"
  echo "V '$k\\{A8F2E4A1-1C2B-4B6E-9D2E-5C1A3B7D9E01}' SystemComponent dword 1"
  echo "K '$k\\Connection Manager'"
  echo "V '$k\\Connection Manager' SystemComponent dword 0"
  echo "K '$k\\KB5002100_Office'"
  echo "V '$k\\KB5002100_Office' DisplayName sz 'Security Update for Microsoft Office 2016 (KB5002100) 64-Bit Edition'"
  echo "V '$k\\KB5002100_Office' ParentKeyName sz 'Office16.PROPLUS'"
  echo "V '$k\\KB5002100_Office' ReleaseType sz 'Security Update'"
  echo "V '$k\\KB5002100_Office' InstallDate sz '20231115'"
  # 32-bit hive: two programs.
  k="$SMB_WIN_UNINSTALL32"
  echo "K '$k\\Notepad++'"
  echo "V '$k\\Notepad++' DisplayName sz 'Notepad++ (32-bit x86)'"
  echo "V '$k\\Notepad++' DisplayVersion sz '8.6.2'"
  echo "V '$k\\Notepad++' Publisher sz 'Notepad++ Team'"
  echo "K '$k\\{26A24AE4-039D-4CA4-87B4-2F32180391F0}'"
  echo "V '$k\\{26A24AE4-039D-4CA4-87B4-2F32180391F0}' DisplayName sz 'Java 8 Update 391'"
  echo "V '$k\\{26A24AE4-039D-4CA4-87B4-2F32180391F0}' DisplayVersion sz '8.0.3910.13'"
  echo "V '$k\\{26A24AE4-039D-4CA4-87B4-2F32180391F0}' Publisher sz 'Oracle Corporation'"
  echo "V '$k\\{26A24AE4-039D-4CA4-87B4-2F32180391F0}' InstallDate sz '20231020'"
  # Servicing packages: two installed KBs (one listed twice), a rollup without a KB, a staged one.
  k="$SMB_WIN_CBS"
  echo "K '$k\\Package_for_KB5034439~31bf3856ad364e35~amd64~~20348.2227.1.1'"
  echo "V '$k\\Package_for_KB5034439~31bf3856ad364e35~amd64~~20348.2227.1.1' CurrentState dword 112"
  echo "K '$k\\Package_1_for_KB5034439~31bf3856ad364e35~amd64~~20348.2227.1.1'"
  echo "K '$k\\Package_for_KB5031364~31bf3856ad364e35~amd64~~20348.2031.1.2'"
  echo "V '$k\\Package_for_KB5031364~31bf3856ad364e35~amd64~~20348.2031.1.2' CurrentState dword 112"
  echo "K '$k\\Package_for_RollupFix~31bf3856ad364e35~amd64~~20348.2340.1.6'"
  echo "K '$k\\Package_for_KB5012170~31bf3856ad364e35~amd64~~20348.880.1.1'"
  echo "V '$k\\Package_for_KB5012170~31bf3856ad364e35~amd64~~20348.880.1.1' CurrentState dword 80"
  # Hardware: four logical CPUs, BIOS and system strings.
  k='HKLM\HARDWARE\DESCRIPTION\System'
  for n in 0 1 2 3; do
    echo "K '$k\\CentralProcessor\\$n'"
    echo "V '$k\\CentralProcessor\\$n' ProcessorNameString sz 'Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz'"
    echo "V '$k\\CentralProcessor\\$n' VendorIdentifier sz 'GenuineIntel'"
    echo "V '$k\\CentralProcessor\\$n' Identifier sz 'Intel64 Family 6 Model 85 Stepping 7'"
    echo "V '$k\\CentralProcessor\\$n' '~MHz' dword 2095"
  done
  echo "K '$k\\BIOS'"
  echo "V '$k\\BIOS' SystemManufacturer sz 'VMware, Inc.'"
  echo "V '$k\\BIOS' SystemProductName sz 'VMware7,1'"
  echo "V '$k\\BIOS' BIOSVendor sz 'VMware, Inc.'"
  echo "V '$k\\BIOS' BIOSVersion sz 'VMW71.00V.21100432.B64.2301110304'"
  echo "V '$k\\BIOS' BIOSReleaseDate sz '01/11/2023'"
  # Users and local groups (the unix accounts exist in the host's private /etc).
  local u name uid pass full g gid comment members m
  for u in "${SMB_WIN_USERS[@]}"; do
    IFS=: read -r name uid pass full <<<"$u"
    echo "pdbedit -s '$conf' -L -u '$name' >/dev/null 2>&1 || printf '%s\\n%s\\n' '$pass' '$pass' | pdbedit -s '$conf' -a -t -u '$name' -f '$full' >/dev/null"
  done
  for g in "${SMB_WIN_GROUPS[@]}"; do
    IFS=: read -r name gid comment members <<<"$g"
    echo "net -s '$conf' groupmap list ntgroup='$name' >/dev/null 2>&1 || N groupmap add ntgroup='$name' unixgroup='$name' type=local comment='$comment'"
    for m in ${members//,/ }; do
      echo "net -s '$conf' sam listmem '$name' 2>/dev/null | grep -qi '\\\\$m\$' || N sam addmem '$name' '$m'"
    done
  done
  # A description outside ASCII (samr QueryInformationAlias carries it as UTF-16), set the way
  # an admin changes one later: net sam set comment.
  echo "N sam set comment labaudit '$SMB_WIN_AUDIT_COMMENT'"
}

# smb_plant_windows STATE_DIR PRIVATE_ETC_CMD...: unix accounts into the private /etc, then the script.
smb_plant_windows() {
  local d=$1
  shift
  local u name uid pass full g gid comment members
  for u in "${SMB_WIN_USERS[@]}"; do
    IFS=: read -r name uid pass full <<<"$u"
    grep -q "^$name:" "$d/etc/passwd" || echo "$name:x:$uid:$uid:$full:/nonexistent:/usr/sbin/nologin" >>"$d/etc/passwd"
    grep -q "^$name:" "$d/etc/group" || echo "$name:x:$uid:" >>"$d/etc/group"
  done
  for g in "${SMB_WIN_GROUPS[@]}"; do
    IFS=: read -r name gid comment members <<<"$g"
    grep -q "^$name:" "$d/etc/group" || echo "$name:x:$gid:$members" >>"$d/etc/group"
  done
  smb_windows_script "$d/smb.conf" >"$d/plant-windows.sh"
  ip netns exec "$NS_smb" "$@" bash "$d/plant-windows.sh" >"$LOGS/smb-windows.log" 2>&1 ||
    die "planting the fake Windows failed (see $LOGS/smb-windows.log)"
}
