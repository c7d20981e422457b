#!/bin/sh
# Installs the free drum samples the shipped model is trained and tested on, all from Debian:
# - hydrogen-drumkits, hydrogen-data: 16 Hydrogen kits (GPL-2, CC-BY, CC-BY-SA, CC0; per kit in
#   /usr/share/doc/hydrogen-drumkits/copyright, recorded per file by `drumsynth dataset`);
# - fluid-soundfont-gm (FluidR3_GM, MIT), musescore-general-soundfont (MIT), timgm6mb-soundfont
#   (GPL-2): General MIDI drum kits, rendered by `drumsynth render-soundfonts` with fluidsynth;
# - lmms-common (GPL-2+): /usr/share/lmms/samples/drums, one-shots named by class;
# - sonic-pi-samples (CC0, from freesound.org): drum_*, bd_*, sn_*, elec_* one-shots.
# Idempotent. Debian/Ubuntu, as root or with sudo.
set -eu

PACKAGES="hydrogen-drumkits hydrogen-data fluidsynth fluid-soundfont-gm \
musescore-general-soundfont timgm6mb-soundfont lmms-common sonic-pi-samples"
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
