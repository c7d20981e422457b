#!/bin/sh
# Installs the hosts the patch tests run in (tests/patches/): Pure Data, SuperCollider
# (sclang + scsynth), JACK (scsynth's audio backend, run on its dummy driver) and liblo's
# oscsend/oscdump; fluidsynth and the small TimGM6mb soundfont for the soundfont renderer test.
# Idempotent: apt-get skips what is installed. Debian/Ubuntu, as root or sudo.
set -eu

PACKAGES="puredata-core supercollider-server supercollider-language jackd2 liblo-tools fluidsynth timgm6mb-soundfont"
# GHC and Tidal (1.7) run examples/tidal/drumsynth.tidal headless (tests/patches/test_tidal.py):
# 78 MB to download, 8.6 s to install here with most of it cached.
PACKAGES="$PACKAGES ghc libghc-tidal-dev"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

missing=""
for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done

if [ -z "$missing" ]; then
    echo "hosts already installed: $PACKAGES"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# jackd2 asks whether to enable realtime scheduling; the tests run jackd -r (no realtime).
echo "jackd2 jackd/tweak_rt_limits boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing
pd -version 2>&1 | head -n 1
command -v sclang scsynth jackd oscsend
