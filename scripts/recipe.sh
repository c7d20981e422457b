#!/bin/sh
# The whole recipe behind the shipped model, from a fresh machine to models/$NAME:
# free kits -> dataset -> GAN -> PCA -> encoder -> artifact -> evaluation.
# Every step resumes: rerun it after an interruption. Environment knobs (defaults in brackets):
# NAME [drums-v1], STEPS [GAN steps, 6000], ENC_STEPS [2000], REAL_STEPS [300], RUN [runs/main].
# The GAN is unstable over long runs: judge checkpoints with `drumsynth evaluate` (the model
# card says how the shipped one was chosen).
set -eu
cd "$(dirname "$0")/.."
NAME="${NAME:-drums-v1}"
RUN="${RUN:-runs/main}"
STEPS="${STEPS:-6000}"
ENC_STEPS="${ENC_STEPS:-2000}"
REAL_STEPS="${REAL_STEPS:-300}"
DATA=data/hydrogen.npz
DS=.venv/bin/drumsynth

sh scripts/install-kits.sh
sh scripts/venv.sh test
[ -f "$DATA" ] || $DS dataset /usr/share/hydrogen/data/drumkits -o "$DATA" \
    --classes kick,snare,hat,tom,cymbal
$DS train --data "$DATA" --run "$RUN" --steps "$STEPS"
$DS fit-pca --run "$RUN"
$DS train-encoder --run "$RUN" --steps "$ENC_STEPS" --real-data "$DATA" --real-steps "$REAL_STEPS"
$DS export --run "$RUN" -o "models/$NAME"
$DS evaluate --model "models/$NAME" --data "$DATA" --out "models/$NAME/evaluation" \
    --losses "$RUN/losses.jsonl"
