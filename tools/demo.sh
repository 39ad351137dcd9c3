#!/usr/bin/env bash
# `make demo`: the LCR claim in miniature (tools/reproduce_mini.py lcr):
# a rendered synthetic test bed -> MoCo v2 and MoCo v2 + LCR, 3 seeds each,
# trained with tools/train.py -> retrieval, kNN and attention-on-the-parts
# probes (with a random-init row) -> the LCR row of the README's
# "Does it work?" table and a PNG. A second run reuses the finished runs.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
WORK=${WORK:-work_dirs/demo}
SEEDS=${SEEDS:-0,1,2}
start=$(date +%s)
mkdir -p "$WORK"

echo "[demo] MoCo v2 vs MoCo v2 + LCR, seeds $SEEDS (about 4 min per seed on 2 cores)"
$PY tools/reproduce_mini.py lcr --seeds "$SEEDS" --work-dir "$WORK" --overwrite \
    > "$WORK/reproduce_lcr.log" 2>&1 &
pid=$!

# Progress: the harness's new lines (train commands left out) and, while a
# run trains, its epoch and ETA from that run's mmengine log, e.g.
# "[reproduce] lcr seed 0 addon: epoch 3/20, run eta 0:00:41".
LOG="$WORK/reproduce_lcr.log"
progress() {
    local run log last total
    run=$(grep '^\[reproduce\].* log: ' "$LOG" | tail -1 || true)
    log=$(printf '%s' "$run" | sed -n 's/.*log: \([^)]*\)).*/\1/p')
    [ -n "$log" ] && [ -f "$log" ] || return 0
    last=$(grep 'Epoch(train)' "$log" | tail -1 | sed -n \
        's/.*Epoch(train) *\[\([0-9]*\)\].*eta: \([0-9:]*\).*/\1 \2/p' || true)
    [ -n "$last" ] || return 0
    total=$(grep -o 'max_epochs=[0-9]*' "$(dirname "$log")/config.py" \
        2>/dev/null | head -1 | cut -d= -f2 || true)
    printf '%s: epoch %s/%s, run eta %s' "${run%% (*}" "${last%% *}" \
        "${total:-?}" "${last##* }"
}

printed=0
shown=""
report() {
    local n
    n=$(grep -c '^\[reproduce\]' "$LOG" || true)
    if [ "$n" -gt "$printed" ]; then
        grep '^\[reproduce\]' "$LOG" | tail -n +"$((printed + 1))" \
            | grep -v 'tools/train.py' || true
        printed=$n
    fi
    line=$(progress)
    if [ -n "$line" ] && [ "${line%%, run eta*}" != "$shown" ]; then
        echo "$line"  # once per epoch
        shown=${line%%, run eta*}
    fi
}
while kill -0 $pid 2>/dev/null; do
    report
    sleep 5
done
report
if ! wait $pid; then
    tail -30 "$WORK/reproduce_lcr.log"
    exit 1
fi
$PY tools/reproduce_mini.py --summary --work-dir "$WORK" > /dev/null
echo "[demo] results (README \"Does it work?\", LCR rows):"
cat "$WORK/summary.md"
echo "[demo] per seed and settings: $WORK/lcr.json"
echo "[demo] figure (per-seed values, MoCo GradCAM vs LCR GFB maps): $WORK/lcr.png"
echo "[demo] full log: $WORK/reproduce_lcr.log"
echo "[demo] done in $(( $(date +%s) - start )) s"
