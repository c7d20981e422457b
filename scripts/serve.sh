#!/bin/sh
# The main job on a fresh machine: install, then serve the shipped model over OSC
# (UDP 127.0.0.1:57300; arguments are passed to `drumsynth serve`, e.g. --port 57310).
set -eu
cd "$(dirname "$0")/.."
sh scripts/venv.sh
exec .venv/bin/drumsynth serve "$@"
