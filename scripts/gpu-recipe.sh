#!/bin/sh
# The recipe's training in one go on a lent machine (a GPU), under a time budget: a packed
# dataset in, the model out in one folder. The code is the same as on a CPU: TensorFlow takes
# the GPU when it finds one.
#
#   here:   .venv/bin/drumsynth pack-dataset --data data/drums.npz -o gpu/drums-train.npz
#           (20 MB; gpu/ is ignored by git: name it in the device's carry)
#   there:  sh scripts/gpu-recipe.sh gpu/drums-train.npz "$OUT"
#   here:   .venv/bin/drumsynth evaluate --model OUT/model --data data/drums.npz \
#               --out OUT/model/evaluation
#
# It needs the package installed where it runs (`pip install '.[gpu]'`: TensorFlow with its
# CUDA libraries). Steps: the autoencoder (stopped after MINUTES with a checkpoint; a rerun
# with the same RUN resumes it), the fitted mapping, PCA, the encoder's fine-tuning, the class
# head, the export, the residual head (stopped after HEAD_MINUTES). OUT/model gets the model's files and OUT/losses.jsonl the autoencoder's
# losses; the run itself (checkpoints with optimiser state, too big to bring back) stays in RUN.
# Knobs (defaults in brackets): RUN [/tmp/drumsynth-gpu-run], MINUTES [5], AE_STEPS [20000],
# BATCH [64], MAP_STEPS [3000], MAP_SEED [10], ENC_STEPS [600], REAL_STEPS [400], HEAD_STEPS
# [30000], HEAD_MINUTES [2], ARCH [default],
# DS [drumsynth on PATH, else .venv/bin/drumsynth].
set -eu
if [ $# -ne 2 ]; then
    echo "usage: sh scripts/gpu-recipe.sh PACKED_DATA OUT" >&2
    exit 2
fi
DATA="$1"
OUT="$2"
RUN="${RUN:-/tmp/drumsynth-gpu-run}"
MINUTES="${MINUTES:-5}"
AE_STEPS="${AE_STEPS:-20000}"
BATCH="${BATCH:-64}"
MAP_STEPS="${MAP_STEPS:-3000}"
MAP_SEED="${MAP_SEED:-10}"
ENC_STEPS="${ENC_STEPS:-600}"
REAL_STEPS="${REAL_STEPS:-400}"
HEAD_STEPS="${HEAD_STEPS:-30000}"
HEAD_MINUTES="${HEAD_MINUTES:-2}"
ARCH="${ARCH:-default}"
DS="${DS:-$(command -v drumsynth || echo .venv/bin/drumsynth)}"
mkdir -p "$OUT"
began=$(date +%s)

$DS train --data "$DATA" --run "$RUN" --steps "$AE_STEPS" --batch "$BATCH" --recon-weight 1 \
    --adv-weight 0 --stats-weight 0 --minutes "$MINUTES" --arch "$ARCH"
cp "$RUN/losses.jsonl" "$OUT/losses.jsonl"
$DS fit-mapping --run "$RUN" --data "$DATA" --steps "$MAP_STEPS" --from-scratch --seed "$MAP_SEED"
$DS fit-pca --run "$RUN"
cp "$RUN/checkpoint/encoder.weights.h5" "$RUN/encoder.weights.h5"
$DS train-encoder --run "$RUN" --steps "$ENC_STEPS" --real-data "$DATA" \
    --real-steps "$REAL_STEPS"
$DS fit-class-head --run "$RUN" --data "$DATA"
$DS export --run "$RUN" -o "$OUT/model"
$DS train-residual-head --model "$OUT/model" --data "$DATA" --run "$RUN/residual-head" \
    --steps "$HEAD_STEPS" --minutes "$HEAD_MINUTES"
echo "gpu-recipe: $OUT/model in $(( $(date +%s) - began )) s"
