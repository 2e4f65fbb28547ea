#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The endpoint's systemd unit: systemd-analyze verify accepts it, and its
# exposure (systemd-analyze security, offline) stays at or below 2.0 ("OK").
# $1: the unit, configured to start the binary in the build tree.
set -euo pipefail
unit=$1
command -v systemd-analyze >/dev/null || { echo "1..0 # SKIP systemd-analyze is missing"; exit 0; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$unit" "$dir/vindplaats-endpoint.service"
echo "1..3"
if out=$(systemd-analyze verify "$dir/vindplaats-endpoint.service" 2>&1); then
  echo "ok 1 systemd-analyze verify"
else
  echo "not ok 1 systemd-analyze verify"; printf '# %s\n' "$out"; exit 1
fi
if out=$(systemd-analyze security --offline=yes --threshold=20 "$dir/vindplaats-endpoint.service" 2>&1); then
  echo "ok 2 exposure at most 2.0"
else
  echo "not ok 2 exposure at most 2.0"; printf '# %s\n' "$out" | tail -n 5; exit 1
fi
for option in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes StateDirectory=vindplaats-endpoint \
              CapabilityBoundingSet= SystemCallFilter=@system-service; do
  grep -qx "$option" "$unit" || { echo "not ok 3 hardening: $option is missing"; exit 1; }
done
echo "ok 3 the hardening options are set"
