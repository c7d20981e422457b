#!/bin/sh
# Everything the tests need on a fresh machine (Pd, SuperCollider, JACK from Debian; the
# package with its test extras in .venv), then the whole suite. Arguments go to pytest.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-hosts.sh
sh scripts/venv.sh test
export TF_CPP_MIN_LOG_LEVEL=2 KERAS_HOME="${KERAS_HOME:-$PWD/.keras}"
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
