#!/bin/sh
# The whole recipe behind the shipped model, from a fresh machine to models/$NAME:
# free kits -> soundfont renders -> dataset -> GAN -> PCA -> encoder -> artifact -> evaluation.
# Every step resumes: rerun it after an interruption (the GAN continues from runs/.../checkpoint,
# written every 250 steps). Environment knobs (defaults in brackets): NAME [drums-v2],
# STEPS [GAN steps, 6000], ENC_STEPS [2000], REAL_STEPS [600], RUN [runs/main].
# The test set is whole libraries the model never trains on (TEST_SOURCES).
# `drumsynth evaluate` exits 3 when a class misses a target: the report says which.
set -eu
cd "$(dirname "$0")/.."
NAME="${NAME:-drums-v2}"
RUN="${RUN:-runs/main}"
STEPS="${STEPS:-6000}"
ENC_STEPS="${ENC_STEPS:-2000}"
REAL_STEPS="${REAL_STEPS:-600}"
CLASSES="kick,snare,hat,openhat,tom,cymbal"
TEST_SOURCES="timgm6mb,lmms,hydrogen/GMRockKit,hydrogen/ForzeeStereo,hydrogen/The Black Pearl,\
hydrogen/ElectricEmpireKit"
DATA=data/drums.npz
DS=.venv/bin/drumsynth

sh scripts/install-kits.sh
sh scripts/venv.sh test
[ -f data/renders/manifest.json ] || $DS render-soundfonts -o data/renders
[ -f "$DATA" ] || $DS dataset /usr/share/hydrogen/data/drumkits data/renders \
    /usr/share/lmms/samples/drums /usr/share/sonic-pi/samples \
    --classes "$CLASSES" --test-sources "$TEST_SOURCES" -o "$DATA"
$DS train --data "$DATA" --run "$RUN" --steps "$STEPS"
$DS fit-pca --run "$RUN"
$DS train-encoder --run "$RUN" --steps "$ENC_STEPS" --real-data "$DATA" --real-steps "$REAL_STEPS"
$DS export --run "$RUN" -o "models/$NAME"
$DS evaluate --model "models/$NAME" --data "$DATA" --out "models/$NAME/evaluation" \
    --losses "$RUN/losses.jsonl"
