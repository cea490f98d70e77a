#!/bin/sh
# The runs behind docs/quantization-trained-models.md: every calibration
# method on the three PP-OCRv4 models, then the rec settings that help.
# usage: bench/quantization/ocr_sweep.sh [MODELC]   (writes results/*.json)
set -e
here=$(dirname "$0")
modelc=${1:-/work/snap/modelc-q}
py=/usr/bin/python3
eval_() { nice -n 10 $py "$here/ocr_eval.py" --modelc "$modelc" "$@"; }
for m in minmax percentile entropy; do
  eval_ --method $m --json "$here/results/$m.json"
done
eval_ --models rec --method percentile --percentile 99.99 --tag pct99.99 \
  --json "$here/results/rec-percentile99.99.json"
convs=$(seq -s ' ' 0 37 | sed 's/\([0-9]*\)/--keep-float p2o.Conv.\1/g')
eval_ --models rec --method percentile $convs --tag pct-kf-conv \
  --json "$here/results/rec-percentile-keep-float-convs.json"
# rec on 64 held-out lines: the 16-line numbers above are coarse
eval_ --models rec --method minmax --held-out 64 --tag big-minmax \
  --json "$here/results/rec-minmax-heldout64.json"
eval_ --models rec --method percentile --percentile 99.99 --held-out 64 --tag big-pct99.99 \
  --json "$here/results/rec-percentile99.99-heldout64.json"
