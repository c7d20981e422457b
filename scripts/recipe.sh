#!/bin/sh
# The whole recipe behind the shipped model, from a fresh machine to models/$NAME:
# free kits -> soundfont renders -> dataset -> GAN (two stages) -> PCA -> encoder -> artifact
# -> evaluation. Every step resumes: rerun it after an interruption (a GAN stage continues from
# its run's checkpoint, written every 500 steps; a finished stage is skipped).
# The GAN stages, as the shipped weights were made (MODEL_CARD.md, "Recipe and lineage"):
#   1. runs/stage1: drums-v2's first architecture (no decay envelopes), class mean and spread
#      matching, STEPS1 steps;
#   2. $RUN: the decay envelopes grown into stage 1's generator (a fresh discriminator), to
#      STEPS2, a snapshot kept every 250 steps. The shipped step was chosen among the snapshots
#      with scripts/probe-snapshot.sh; STEPS2 stops the stage there.
# Environment knobs (defaults in brackets): NAME [drums-v2], STEPS1 [5250], STEPS2 [2500],
# ENC_STEPS [1000], REAL_STEPS [600], RUN [runs/main]. The encoder first learns stage 1's
# generator (2000 + 600 steps), then stage 2's (ENC_STEPS + REAL_STEPS), as the shipped one did.
# The test set is whole libraries the model never trains on (TEST_SOURCES).
# `drumsynth evaluate` exits 3 when a class misses a target: the report says which.
set -eu
cd "$(dirname "$0")/.."
NAME="${NAME:-drums-v2}"
RUN="${RUN:-runs/main}"
STEPS1="${STEPS1:-5250}"
STEPS2="${STEPS2:-2500}"
ENC_STEPS="${ENC_STEPS:-1000}"
REAL_STEPS="${REAL_STEPS:-600}"
CLASSES="kick,snare,hat,openhat,tom,cymbal"
TEST_SOURCES="timgm6mb,lmms,hydrogen/GMRockKit,hydrogen/ForzeeStereo,hydrogen/The Black Pearl,\
hydrogen/ElectricEmpireKit,hydrogen/HardElectro1"
DATA=data/drums.npz
DS=.venv/bin/drumsynth

sh scripts/install-kits.sh
sh scripts/venv.sh test
[ -f data/renders/manifest.json ] || $DS render-soundfonts -o data/renders
[ -f "$DATA" ] || $DS dataset /usr/share/hydrogen/data/drumkits data/renders \
    /usr/share/lmms/samples/drums /usr/share/sonic-pi/samples \
    --classes "$CLASSES" --test-sources "$TEST_SOURCES" -o "$DATA"
$DS train --data "$DATA" --run runs/stage1 --arch no-envelopes --steps "$STEPS1"
$DS train --data "$DATA" --run "$RUN" --init-from runs/stage1 --steps "$STEPS2" --keep-every 250
if [ ! -f "$RUN/encoder.weights.h5" ]; then
    [ -f runs/stage1/pca.npz ] || $DS fit-pca --run runs/stage1
    [ -f runs/stage1/encoder.weights.h5 ] || $DS train-encoder --run runs/stage1 --steps 2000 \
        --real-data "$DATA" --real-steps 600
    cp runs/stage1/encoder.weights.h5 "$RUN/encoder.weights.h5"
    $DS fit-pca --run "$RUN"
    $DS train-encoder --run "$RUN" --steps "$ENC_STEPS" --real-data "$DATA" \
        --real-steps "$REAL_STEPS"
fi
$DS export --run "$RUN" -o "models/$NAME"
$DS evaluate --model "models/$NAME" --data "$DATA" --out "models/$NAME/evaluation" \
    --losses "$RUN/losses.jsonl"
