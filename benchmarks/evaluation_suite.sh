#!/usr/bin/env bash
# Run every evaluation protocol of tools/analysis on the two `make demo`
# checkpoints (MoCo v2, MoCo v2 + LCR) and print the side-by-side table.
#   benchmarks/evaluation_suite.sh [MOCO_CKPT] [LCR_CKPT] [DATA] [OUT_DIR]
# Defaults: work_dirs/demo/{mocov2,moco_lcr}/epoch_30.pth, data/synthetic_cub,
# work_dirs/demo/eval. Results: JSON next to each checkpoint, PNGs and the
# table (eval_table.md) in OUT_DIR.
set -euo pipefail
PY=${PYTHON:-python}
MOCO=${1:-work_dirs/demo/mocov2/epoch_30.pth}
LCR=${2:-work_dirs/demo/moco_lcr/epoch_30.pth}
DATA=${3:-data/synthetic_cub}
OUT=${4:-work_dirs/demo/eval}
DAVIS=$OUT/synthetic_davis
mkdir -p "$OUT"
[ -f "$DAVIS/ImageSets/2017/val.txt" ] || \
    $PY -m mmssl_addons.synthetic.video --out "$DAVIS" \
        --videos 4 --frames 10 --size 96 --objects 2 --seed 0

run() {  # name config ckpt
    local name=$1 cfg=$2 ckpt=$3
    local opts=(--cfg-options "test_dataloader.dataset.data_root=$DATA")
    for split in train test; do
        $PY tools/analysis/extract_features.py "$cfg" "$ckpt" --split $split "${opts[@]}"
    done
    $PY tools/analysis/retrieval_knn.py "$cfg" "$ckpt" "${opts[@]}"
    $PY tools/analysis/clustering.py "$cfg" "$ckpt" --num-classes-subset 10 --n-subsets 10 "${opts[@]}"
    $PY tools/analysis/linear_lbfgs.py "$cfg" "$ckpt" "${opts[@]}"
    $PY tools/analysis/cam_drop_increase.py "$cfg" "$ckpt" "${opts[@]}"
    $PY tools/analysis/label_propagation.py "$cfg" "$ckpt" --data-root "$DAVIS" --short-side 192
    $PY tools/analysis/retrieval_grid.py "$cfg" "$ckpt" --out "$OUT/${name}_retrieval_grid.png" "${opts[@]}"
    $PY tools/analysis/nn_sheet.py "$cfg" "$ckpt" --out "$OUT/${name}_nn_sheet.png" "${opts[@]}"
    $PY tools/analysis/visualize_cam.py "$cfg" "$ckpt" --out "$OUT/${name}_cam.png" "${opts[@]}"
}
run mocov2 configs/lcr/mocov2_synthetic_demo.py "$MOCO"
run moco_lcr configs/lcr/moco_lcr_synthetic_demo.py "$LCR"
$PY tools/analysis/compare.py "MoCo v2=$MOCO" "MoCo v2 + LCR=$LCR" --out "$OUT/eval_table.md"
