#!/usr/bin/env bash
# `make demo`: synthetic data -> MoCo v2 and MoCo v2 + LCR pretraining with
# tools/train.py -> retrieval with tools/test.py -> GFB attention grid.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
DATA=${DATA:-data/synthetic_cub}
WORK=${WORK:-work_dirs/demo}
OPTS="train_dataloader.dataset.data_root=$DATA test_dataloader.dataset.data_root=$DATA"
start=$(date +%s)
mkdir -p "$WORK"

if [ ! -f "$DATA/images.txt" ]; then
    echo "[demo] generating the synthetic dataset in $DATA"
    $PY -m mmssl_addons.datasets.synthetic --out "$DATA" --classes 20 \
        --per-class 40 --size 128 --seed 0
fi

for name in mocov2 moco_lcr; do
    cfg=configs/lcr/${name}_synthetic_demo.py
    echo "[demo] pretraining $cfg (progress below, full log: $WORK/$name.train.log)"
    $PY tools/run_logged.py "$WORK/$name.train.log" --label "demo $name" \
        --epochs 30 -- $PY tools/train.py "$cfg" --work-dir "$WORK/$name" \
        --cfg-options $OPTS || exit 1
    ckpt=$(ls -t "$WORK/$name"/epoch_*.pth | head -1)
    echo "[demo] retrieval of $ckpt"
    $PY tools/test.py "$cfg" "$ckpt" --work-dir "$WORK/$name" \
        --out "$WORK/$name/retrieval.json" --cfg-options $OPTS \
        > "$WORK/$name.test.log" 2>&1 || { tail -30 "$WORK/$name.test.log"; exit 1; }
done

lcr_ckpt=$(ls -t "$WORK/moco_lcr"/epoch_*.pth | head -1)
$PY tools/analysis/visualize_attention.py \
    configs/lcr/moco_lcr_synthetic_demo.py "$lcr_ckpt" \
    --out "$WORK/attention_grid.png" --num-images 16 --cfg-options $OPTS

$PY tools/analysis/compare.py \
    "MoCo v2=$WORK/mocov2/retrieval.json" \
    "MoCo v2 + LCR=$WORK/moco_lcr/retrieval.json" \
    --out "$WORK/summary.md"
echo "[demo] results:"
cat "$WORK/summary.md"
echo "[demo] PNGs:           $(ls "$WORK"/*.png | tr '\n' ' ')"
echo "[demo] metrics:        $WORK/mocov2/retrieval.json, $WORK/moco_lcr/retrieval.json"
echo "[demo] summary table:  $WORK/summary.md"
echo "[demo] attention grid: $WORK/attention_grid.png"
echo "[demo] done in $(( $(date +%s) - start )) s"
