#!/bin/sh
# Measures one kept GAN snapshot class by class, to choose the step a model ships from (the GAN
# oscillates: the last step is rarely the best). Usage:
#   sh scripts/probe-snapshot.sh runs/main/snapshots/step004500 [ENCODER_MODEL]
# Writes runs/probe/<run>-<step>/ (a throwaway model and its evaluation, generated sounds only, 48
# per class, no inversion) and prints one line per class: Frechet against the held-out test set,
# its train-vs-test floor and the noise-burst baseline, the two classifiers' fidelity
# (generated / real test) and the spread ratio. The export needs an encoder of the same
# architecture: a snapshot of a run with reconstruction (--recon-weight) holds its own, and then
# 20 test sounds per class are inverted too (4 refined) and a second line per class gives the
# class head's accuracy and the encoder-only and refined distances against the best of 256
# seeds; otherwise it is borrowed from ENCODER_MODEL [models/drums-v2] and plays no part.
# A snapshot of an autoencoder run (--adv-weight 0) has an untrained mapping network: its
# mapping is first fitted to the encoded training drums (`drumsynth fit-mapping`, 3000 steps,
# with MAP_ARGS: e.g. MAP_ARGS="--from-scratch --seed 10" as the shipped recipe fits).
set -eu
cd "$(dirname "$0")/.."
SNAP="$1"
ENCODER_MODEL="${2:-models/drums-v2}"
DATA="${DATA:-data/drums.npz}"
MAP_ARGS="${MAP_ARGS:-}"
DS=.venv/bin/drumsynth
OUT="runs/probe/$(basename "$(dirname "$(dirname "$SNAP")")")-$(basename "$SNAP")"
rm -rf "$OUT"
mkdir -p "$OUT"
cp -r "$SNAP" "$OUT/checkpoint"
if [ -f "$SNAP/encoder.weights.h5" ]; then
    cp "$SNAP/encoder.weights.h5" "$OUT/encoder.weights.h5"
    INVERT="--invert-count 20 --refine-count 4"
else
    cp "$ENCODER_MODEL/encoder.weights.h5" "$OUT/encoder.weights.h5"
    INVERT="--invert-count 0"
fi
AUTOENCODER="import json, sys; from oscserver.training.gan import is_autoencoder
sys.exit(0 if is_autoencoder(json.load(open(sys.argv[1]))['train']) else 1)"
{
    if .venv/bin/python -c "$AUTOENCODER" "$SNAP/state.json"; then
        # shellcheck disable=SC2086
        $DS fit-mapping --run "$OUT" --data "$DATA" $MAP_ARGS
    fi
    $DS fit-pca --run "$OUT" --samples 1000
    $DS export --run "$OUT" -o "$OUT/model"
    # shellcheck disable=SC2086
    $DS evaluate --model "$OUT/model" --data "$DATA" --out "$OUT/eval" $INVERT \
        --per-class 48 --no-fail
} > "$OUT/log" 2>&1
.venv/bin/python - "$OUT/eval/report.json" <<'PY'
import json
import sys

for c in json.load(open(sys.argv[1]))["per_class"]:
    f, band, shape = c["frechet"], c["fidelity_band"], c["fidelity_shape"]
    print(
        f"{c['name']:8s} frechet {f['generated']:6.0f} floor {f['train_floor'] or 0:4.0f} "
        f"noise {f['noise'] or 0:5.0f}  band {band['generated']:.2f}/{band['real_test']:.2f} "
        f"shape {shape['generated']:.2f}/{shape['real_test']:.2f}  "
        f"spread {c['diversity']['ratio']:.2f}"
    )
    inv = c["inversion"]
    if inv:
        print(
            f"{'':8s} inversion class {inv['class_accuracy']:.2f}  encoder {inv['encoder']:.2f} "
            f"/ best {inv['best_of']:.2f} = {inv['encoder_ratio']:.2f}  refined "
            f"{inv['refined']:.2f} / {inv['best_of_refined']:.2f} = {inv['refined_ratio']:.2f}"
        )
PY
