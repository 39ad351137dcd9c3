#!/usr/bin/env bash
# `make demo-transfer`: synthetic birds -> tiny MoCo v2 pretraining with
# tools/train.py -> backbone extraction -> COCO / ADE exports -> Mask R-CNN
# (mmdet), UPerNet (mmseg) and top-down keypoints (mmpose) fine-tuning with
# tools/train.py and evaluation with tools/test.py -> a table of metrics.
# Everything runs on CPU in a few minutes; the numbers only show that the
# pipeline works (a few iterations on 40 images), not transfer quality.
#
# When detectron2 is importable, also: a 1-epoch MoCo v2 ResNet-50
# pretraining (detectron2's C4 head needs a ResNet-50) -> to_detectron2.py
# -> Mask R-CNN R50-C4 (extra-norm head) fine-tuned with
# benchmarks/detectron2/train_net.py on the COCO export (--register-coco);
# without detectron2 one line says it is skipped.
#
# Environment: VENV (.venv), DATA (data/synthetic_cub_transfer),
# EXPORT (data/synthetic_transfer), WORK (work_dirs/demo_transfer),
# ITERS (fine-tuning iterations per task, default 20), D2_ITERS (detectron2
# iterations, default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
DATA=${DATA:-data/synthetic_cub_transfer}
EXPORT=${EXPORT:-data/synthetic_transfer}
WORK=${WORK:-work_dirs/demo_transfer}
ITERS=${ITERS:-20}
start=$(date +%s)
mkdir -p "$WORK"

run() {  # run LOG CMD...: quiet unless it fails
    local log=$1
    shift
    "$@" > "$log" 2>&1 || { tail -40 "$log"; echo "[demo-transfer] failed: $*"; exit 1; }
}

if [ ! -f "$DATA/images.txt" ]; then
    echo "[demo-transfer] generating the synthetic dataset in $DATA (64 px)"
    run "$WORK/generate.log" $PY -m mmssl_addons.synthetic \
        --out "$DATA" --classes 8 --per-class 10 --size 64 --seed 0
fi
if [ ! -f "$EXPORT/export_info.json" ]; then
    echo "[demo-transfer] exporting COCO / VOC / ADE layouts to $EXPORT"
    run "$WORK/export.log" $PY -m mmssl_addons.synthetic.export \
        --src "$DATA" --out "$EXPORT" --overwrite
fi

echo "[demo-transfer] pretraining MoCo v2 (small ResNet-18) for 2 epochs"
run "$WORK/pretrain.log" $PY tools/train.py configs/lcr/mocov2_synthetic_demo.py \
    --work-dir "$WORK/pretrain" --cfg-options \
    train_dataloader.dataset.data_root=$DATA \
    test_dataloader.dataset.data_root=$DATA \
    train_dataloader.batch_size=8 train_cfg.max_epochs=2 \
    default_hooks.checkpoint.interval=2 'custom_hooks=[]'
echo "[demo-transfer] extracting the backbone"
run "$WORK/convert.log" $PY tools/model_converters/extract_backbone.py \
    "$WORK/pretrain/epoch_2.pth" "$WORK/backbone.pth" --encoder online --overwrite
cat "$WORK/convert.log"

COCO=$EXPORT/coco
ADE=$EXPORT/ade
coco_opts="train_dataloader.dataset.data_root=$COCO/ val_dataloader.dataset.data_root=$COCO/ test_dataloader.dataset.data_root=$COCO/ val_evaluator.ann_file=$COCO/annotations/instances_val.json test_evaluator.ann_file=$COCO/annotations/instances_val.json"
ade_opts="train_dataloader.dataset.data_root=$ADE/ val_dataloader.dataset.data_root=$ADE/ test_dataloader.dataset.data_root=$ADE/"
short="train_cfg.max_iters=$ITERS train_cfg.val_interval=$ITERS default_hooks.checkpoint.interval=$ITERS"

for task in det:benchmarks/mmdetection/mask-rcnn_r18-small-fpn_synthetic.py \
            seg:benchmarks/mmsegmentation/upernet_r18-small_synthetic.py \
            pose:benchmarks/mmpose/td-hm_r18-small_synthetic.py; do
    name=${task%%:*}
    cfg=${task#*:}
    if [ "$name" = seg ]; then opts=$ade_opts; else opts=$coco_opts; fi
    echo "[demo-transfer] $name: fine-tuning $cfg for $ITERS iterations"
    run "$WORK/$name.train.log" $PY tools/train.py "$cfg" --work-dir "$WORK/$name" \
        --no-validate --cfg-options pretrained=$WORK/backbone.pth $opts $short
    grep -m1 "load model from" "$WORK/$name.train.log" | sed 's/^.*INFO - /    /'
    echo "[demo-transfer] $name: evaluating with tools/test.py"
    run "$WORK/$name.test.log" $PY tools/test.py "$cfg" "$WORK/$name/iter_$ITERS.pth" \
        --work-dir "$WORK/$name" --out "$WORK/$name/metrics.json" --cfg-options $opts
done

D2_ITERS=${D2_ITERS:-10}
if $PY -c "import detectron2" > /dev/null 2>&1; then
    echo "[demo-transfer] d2: pretraining MoCo v2 ResNet-50 for 1 epoch (64 px)"
    run "$WORK/d2.pretrain.log" $PY tools/train.py configs/lcr/mocov2_synthetic_demo.py \
        --work-dir "$WORK/pretrain_r50" --cfg-options \
        train_dataloader.dataset.data_root=$DATA \
        test_dataloader.dataset.data_root=$DATA \
        train_dataloader.batch_size=8 train_cfg.max_epochs=1 \
        default_hooks.checkpoint.interval=1 'custom_hooks=[]' \
        model.backbone.depth=50 model.backbone.stem_channels=64 \
        model.backbone.base_channels=64 'model.backbone.strides=(1,2,2,2)' \
        model.neck.in_channels=2048 model.neck.hid_channels=2048
    run "$WORK/d2.convert.log" $PY tools/model_converters/to_detectron2.py \
        "$WORK/pretrain_r50/epoch_1.pth" "$WORK/r50.pkl"
    echo "[demo-transfer] d2: fine-tuning Mask R-CNN R50-C4 for $D2_ITERS iterations"
    run "$WORK/d2.train.log" $PY benchmarks/detectron2/train_net.py \
        --config-file benchmarks/detectron2/configs/coco_R_50_C4_1x.yaml \
        --register-coco synth_train "$COCO/annotations/instances_train.json" "$COCO/train" \
        --register-coco synth_val "$COCO/annotations/instances_val.json" "$COCO/val" \
        DATASETS.TRAIN '("synth_train",)' DATASETS.TEST '("synth_val",)' \
        MODEL.WEIGHTS "$WORK/r50.pkl" MODEL.DEVICE cpu MODEL.RESNETS.NORM BN \
        TEST.PRECISE_BN.ENABLED False SOLVER.IMS_PER_BATCH 2 SOLVER.BASE_LR 0.002 \
        SOLVER.MAX_ITER "$D2_ITERS" SOLVER.STEPS '()' SOLVER.WARMUP_ITERS 1 \
        INPUT.MIN_SIZE_TRAIN '(64,)' INPUT.MAX_SIZE_TRAIN 128 \
        INPUT.MIN_SIZE_TEST 64 INPUT.MAX_SIZE_TEST 128 DATALOADER.NUM_WORKERS 0 \
        OUTPUT_DIR "$WORK/d2"
    grep -m1 "from the registered datasets" "$WORK/d2.train.log" | sed 's/^/    /'
    $PY - "$WORK/d2.train.log" "$WORK/d2/metrics.json" <<'PYEOF'
import json, sys
# detectron2 prints "copypaste: AP,AP50,..." then the values, per task
lines = open(sys.argv[1]).read().splitlines()
out = {}
for i, line in enumerate(lines):
    if 'copypaste: Task: ' in line:
        task = line.split('Task: ')[1].strip()
        names = lines[i + 1].split('copypaste: ')[1].split(',')
        values = lines[i + 2].split('copypaste: ')[1].split(',')
        for n, v in zip(names, values):
            out[f'{task}/{n}'] = float(v) if v != 'nan' else float('nan')
json.dump(out, open(sys.argv[2], 'w'), indent=2)
PYEOF
else
    rm -f "$WORK/d2/metrics.json"
    echo "[demo-transfer] d2: skipped (detectron2 is not installed; see docs/detectron2.md)"
fi

$PY - "$WORK" <<'PYEOF'
import json, os, sys
work = sys.argv[1]
rows = [
    ('Mask R-CNN R18-FPN (mmdet)', 'det', ['coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP', 'coco/segm_mAP_50']),
    ('UPerNet R18 (mmseg)', 'seg', ['mIoU', 'aAcc', 'mAcc']),
    ('Top-down heatmap R18 (mmpose)', 'pose', ['coco/AP', 'coco/AP .5', 'coco/AR']),
    ('Mask R-CNN R50-C4 (detectron2)', 'd2', ['bbox/AP', 'bbox/AP50', 'segm/AP', 'segm/AP50']),
]
lines = ['| task | metric | value |', '| --- | --- | --- |']
for title, name, keys in rows:
    path = os.path.join(work, name, 'metrics.json')
    if name == 'd2' and not os.path.isfile(path):
        continue  # detectron2 not installed
    with open(path) as f:
        metrics = json.load(f)
    for key in keys:
        lines.append(f'| {title} | {key} | {metrics[key]:.4f} |')
text = '\n'.join(lines) + '\n'
with open(os.path.join(work, 'summary.md'), 'w') as f:
    f.write(text)
print(text)
PYEOF
echo "[demo-transfer] metrics: $WORK/{det,seg,pose,d2}/metrics.json; table: $WORK/summary.md"
echo "[demo-transfer] done in $(( $(date +%s) - start )) s"
