#!/bin/sh
# Installs the free drum samples the shipped model is trained on: Debian's Hydrogen drum kits
# (hydrogen-drumkits: 14 kits; hydrogen-data: GMRockKit and TR808EmulationKit). Their licences
# (GPL-2, CC-BY, CC-BY-SA, CC0) are in /usr/share/doc/hydrogen-drumkits/copyright and are
# recorded per file by `drumsynth dataset`. Idempotent. Debian/Ubuntu, as root or with sudo.
set -eu

PACKAGES="hydrogen-drumkits hydrogen-data"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

missing=""
for pkg in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update
    # shellcheck disable=SC2086
    $SUDO apt-get install -y --no-install-recommends $missing
fi
echo "drum kits in /usr/share/hydrogen/data/drumkits:"
ls /usr/share/hydrogen/data/drumkits
