#!/usr/bin/env bash
# Fine-tune a pretrained backbone with detectron2.
#
# Usage: tools/benchmarks/detectron2/dist_train.sh CONFIG PRETRAIN GPUS [OPTS...]
#   CONFIG    a YAML under benchmarks/detectron2/configs/
#   PRETRAIN  a checkpoint written by tools/train.py (or a backbone-only
#             one): converted with tools/model_converters/to_detectron2.py
#             into WORK_DIR/pretrain_<ENCODER>.pkl; a .pkl is used as is
#   GPUS      GPUs on this machine (detectron2's --num-gpus)
#   OPTS      detectron2 options as KEY VALUE pairs, e.g. SOLVER.IMS_PER_BATCH 8
#             (a leading --cfg-options, as in the mm wrappers, is accepted)
# Environment: ENCODER=online|teacher (default online; BAM and CLoVE
# evaluate the teacher), WORK_DIR (default work_dirs/detectron2/<config>),
# PYTHON (default python), RESUME=1 to resume from WORK_DIR,
# NUM_MACHINES / MACHINE_RANK / DIST_URL for multi-node runs.
set -euo pipefail
if [ $# -lt 3 ]; then
    sed -n '4,11p' "$0" >&2
    exit 2
fi
CONFIG=$1
PRETRAIN=$2
GPUS=$3
shift 3
if [ "${1:-}" = "--cfg-options" ]; then
    shift
fi
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
PYTHON=${PYTHON:-python}
ENCODER=${ENCODER:-online}
NAME=$(basename "${CONFIG%.*}")
WORK_DIR=${WORK_DIR:-work_dirs/detectron2/$NAME}
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

if [ ! -f "$CONFIG" ]; then
    echo "dist_train.sh: error: config not found: $CONFIG" >&2
    exit 2
fi
if [[ "$PRETRAIN" != *.pkl ]]; then
    mkdir -p "$WORK_DIR"
    PKL="$WORK_DIR/pretrain_${ENCODER}.pkl"
    "$PYTHON" "$ROOT/tools/model_converters/to_detectron2.py" \
        "$PRETRAIN" "$PKL" --encoder "$ENCODER" --overwrite  # derived file
    PRETRAIN=$PKL
fi
EXTRA=()
if [ "${RESUME:-0}" = "1" ]; then
    EXTRA+=(--resume)
fi
exec "$PYTHON" "$ROOT/benchmarks/detectron2/train_net.py" \
    --config-file "$CONFIG" --num-gpus "$GPUS" \
    --num-machines "${NUM_MACHINES:-1}" --machine-rank "${MACHINE_RANK:-0}" \
    --dist-url "${DIST_URL:-auto}" "${EXTRA[@]}" \
    MODEL.WEIGHTS "$PRETRAIN" OUTPUT_DIR "$WORK_DIR" "$@"
