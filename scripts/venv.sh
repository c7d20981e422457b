#!/bin/sh
# Creates (or reuses) the project's virtual environment in .venv and installs the package,
# editable, with the extras named in $1 (e.g. "test"). Skips pip when nothing it reads changed:
# .venv/.drumsynth-installed holds a hash of pyproject.toml and setup.py and the extras
# installed with it (any line with the current hash serves a plain install). Prints nothing
# else on success but pip's summary, or one line when it skips.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
EXTRAS="${1:-}"
STAMP=.venv/.drumsynth-installed
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv

HASH="$(cat pyproject.toml setup.py | .venv/bin/python -c \
    'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
if [ -f "$STAMP" ]; then
    if { [ -z "$EXTRAS" ] && grep -q "^$HASH " "$STAMP"; } || grep -qx "$HASH $EXTRAS" "$STAMP"; then
        echo "venv up to date (.venv${EXTRAS:+, extras $EXTRAS}); delete $STAMP to reinstall"
        exit 0
    fi
    grep -q "^$HASH " "$STAMP" || rm -f "$STAMP"
fi

.venv/bin/python -m pip install --quiet --upgrade pip
# Until 0.1 the package depended on tensorflow-cpu; the full tensorflow wheel replaces it and
# both own the tensorflow package, so the old one goes first and one TensorFlow is left.
if .venv/bin/python -m pip show --quiet tensorflow-cpu 2>/dev/null; then
    .venv/bin/python -m pip uninstall --quiet --yes tensorflow-cpu
fi
if [ -n "$EXTRAS" ]; then
    .venv/bin/python -m pip install --quiet -e ".[$EXTRAS]"
else
    .venv/bin/python -m pip install --quiet -e .
fi
echo "$HASH $EXTRAS" >> "$STAMP"
