#!/bin/sh
# The whole recipe behind the shipped model, from a fresh machine to models/$NAME:
# free kits -> soundfont renders -> dataset -> GAN (four stages) -> PCA -> encoder -> artifact
# -> evaluation. Every step resumes: rerun it after an interruption (a GAN stage continues from
# its run's checkpoint, written every 500 steps; a finished stage is skipped).
# The GAN stages, as the shipped weights were made (MODEL_CARD.md, "Recipe and lineage"):
#   1. runs/stage1: drums-v2's first architecture (no decay envelopes), class mean and spread
#      matching, STEPS1 steps;
#   2. runs/stage2: the decay envelopes grown into stage 1's generator (a fresh discriminator),
#      to 2500 steps, a snapshot kept every 250;
#   3. runs/stage3: from stage 2's step 2500 (weights and discriminator, a fresh optimiser, as
#      its snapshot had none then), learning rates 3e-5 / 1.5e-5 and length matching, to 3500;
#   4. runs/stage4: from stage 3's step 3500 (optimiser included), the moving average's
#      half-life 1000 steps, to 4500 (the third release);
#   5. $RUN: from stage 4's step 4500 with stage 4's encoder, resynthesis of real drums
#      (--recon-weight 2): the encoder trains beside the GAN and the synthesis network learns
#      to play real drums back, to STEPS5. The shipped step was chosen among the snapshots
#      with scripts/probe-snapshot.sh; STEPS5 stops the stage there.
# Environment knobs (defaults in brackets): NAME [drums-v2], STEPS1 [5250], STEPS5 [10000],
# ENC_STEPS [1000], REAL_STEPS [600], RUN [runs/main]. The encoder learns stage 1's generator
# (2000 + 600 steps), then stage 2's and stage 4's (ENC_STEPS + REAL_STEPS each); stage 5's
# continues from the one it trained beside the GAN (600 + 400 steps on its moving average).
# The test set is whole libraries the model never trains on (TEST_SOURCES).
set -eu
cd "$(dirname "$0")/.."
NAME="${NAME:-drums-v2}"
RUN="${RUN:-runs/main}"
STEPS1="${STEPS1:-5250}"
STEPS5="${STEPS5:-10000}"
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
# branch SNAPSHOT RUN [fresh]: a new run starting from another run's kept snapshot (once);
# "fresh" leaves its optimiser state behind
branch() {
    [ -d "$2/checkpoint" ] && return 0
    mkdir -p "$2"
    cp -r "$1" "$2/checkpoint"
    if [ "${3:-}" = fresh ]; then rm -f "$2/checkpoint/optimizers.npz"; fi
}
FINE="--lr 3e-5 --lr-d 1.5e-5 --duration-weight 1 --keep-every 250"
$DS train --data "$DATA" --run runs/stage1 --arch no-envelopes --steps "$STEPS1"
$DS train --data "$DATA" --run runs/stage2 --init-from runs/stage1 --steps 2500 --keep-every 250
branch runs/stage2/snapshots/step002500 runs/stage3 fresh
# shellcheck disable=SC2086
$DS train --data "$DATA" --run runs/stage3 --steps 3500 $FINE
branch runs/stage3/snapshots/step003500 runs/stage4
# shellcheck disable=SC2086
$DS train --data "$DATA" --run runs/stage4 --steps 4500 $FINE --ema-halflife 1000
# encoder: stage N's starts from stage N-1's weights
previous=""
for stage in runs/stage1 runs/stage2 runs/stage4; do
    if [ ! -f "$stage/encoder.weights.h5" ]; then
        [ -f "$stage/pca.npz" ] || $DS fit-pca --run "$stage"
        if [ -z "$previous" ]; then
            $DS train-encoder --run "$stage" --steps 2000 --real-data "$DATA" --real-steps 600
        else
            cp "$previous/encoder.weights.h5" "$stage/encoder.weights.h5"
            $DS train-encoder --run "$stage" --steps "$ENC_STEPS" --real-data "$DATA" \
                --real-steps "$REAL_STEPS"
        fi
    fi
    previous="$stage"
done
branch runs/stage4/snapshots/step004500 "$RUN"
[ -f "$RUN/checkpoint/encoder.weights.h5" ] || cp runs/stage4/encoder.weights.h5 "$RUN/checkpoint/"
# shellcheck disable=SC2086
$DS train --data "$DATA" --run "$RUN" --steps "$STEPS5" $FINE --ema-halflife 1000 \
    --recon-weight 2
if [ ! -f "$RUN/encoder.weights.h5" ]; then
    [ -f "$RUN/pca.npz" ] || $DS fit-pca --run "$RUN"
    cp "$RUN/checkpoint/encoder.weights.h5" "$RUN/encoder.weights.h5"
    $DS train-encoder --run "$RUN" --steps 600 --real-data "$DATA" --real-steps 400
fi
$DS export --run "$RUN" -o "models/$NAME"
$DS evaluate --model "models/$NAME" --data "$DATA" --out "models/$NAME/evaluation" \
    --losses "$RUN/losses.jsonl"
