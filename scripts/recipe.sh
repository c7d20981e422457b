#!/bin/sh
# The whole recipe behind the shipped model, from a fresh machine to models/$NAME:
# free kits -> soundfont renders -> dataset -> autoencoder -> fitted mapping -> PCA -> artifact
# -> evaluation. Every step resumes: rerun it after an interruption (the autoencoder continues
# from its run's checkpoint, written every 500 steps; a finished step is skipped: after training
# a run on, delete its mapping.weights.h5, pca.npz and encoder.weights.h5 to fit them again).
# The route, as the shipped weights were made (MODEL_CARD.md, "Recipe and lineage"):
#   1. $RUN: encoder and synthesis network trained from scratch as an autoencoder of real
#      training drums (multi-resolution spectral loss and the class head; no adversary, no
#      class statistics), AE_STEPS steps, NOISE on the encoder's w before it is played;
#   2. the mapping network fitted to the encoder's w of the training drums, class by class
#      (`drumsynth fit-mapping`, energy distance), from fresh weights drawn with MAP_SEED;
#   3. the per-class PCA of the fitted mapping's W;
#   4. the autoencoder's encoder fine-tuned on the fitted generator: ENC_STEPS generated pairs
#      (latent, spectral and class losses), then REAL_STEPS on real training drums;
#   5. the class head that names inverted drums (`drumsynth fit-class-head`: trees on envelope
#      shape and band levels of the training drums);
#   6. the export;
#   7. the residual head, trained into the exported model beside its frozen encoder
#      (`drumsynth train-residual-head`, HEAD_STEPS steps, checkpoints in $RUN/residual-head:
#      export drops the head, and the rerun puts the finished one back without training);
#   8. the evaluation.
# Environment knobs (defaults in brackets): NAME [drums-v2], RUN [runs/main], AE_STEPS [3000],
# NOISE [0], MAP_SEED [10], ENC_STEPS [600], REAL_STEPS [400], HEAD_STEPS [21000]. The test set is whole libraries the model never trains on (TEST_SOURCES).
set -eu
cd "$(dirname "$0")/.."
NAME="${NAME:-drums-v2}"
RUN="${RUN:-runs/main}"
AE_STEPS="${AE_STEPS:-3000}"
NOISE="${NOISE:-0}"
MAP_SEED="${MAP_SEED:-10}"
ENC_STEPS="${ENC_STEPS:-600}"
REAL_STEPS="${REAL_STEPS:-400}"
HEAD_STEPS="${HEAD_STEPS:-21000}"
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
$DS train --data "$DATA" --run "$RUN" --steps "$AE_STEPS" --recon-weight 1 --adv-weight 0 \
    --stats-weight 0 --recon-noise "$NOISE" --keep-every 500
[ -f "$RUN/mapping.weights.h5" ] || $DS fit-mapping --run "$RUN" --data "$DATA" --from-scratch \
    --seed "$MAP_SEED"
[ -f "$RUN/pca.npz" ] || $DS fit-pca --run "$RUN"
if [ ! -f "$RUN/encoder.weights.h5" ]; then
    cp "$RUN/checkpoint/encoder.weights.h5" "$RUN/encoder.weights.h5"
    $DS train-encoder --run "$RUN" --steps "$ENC_STEPS" --real-data "$DATA" \
        --real-steps "$REAL_STEPS"
fi
[ -f "$RUN/class_head.npz" ] || $DS fit-class-head --run "$RUN" --data "$DATA"
$DS export --run "$RUN" -o "models/$NAME"
$DS train-residual-head --model "models/$NAME" --data "$DATA" --run "$RUN/residual-head" \
    --steps "$HEAD_STEPS"
$DS evaluate --model "models/$NAME" --data "$DATA" --out "models/$NAME/evaluation" \
    --losses "$RUN/losses.jsonl"
