#!/usr/bin/env bash
# The MeSH ablation of docs/mesh_quality.md: train each configuration (if its run folder has
# no archive yet), then score every archive and the baselines on the test split with one
# command, allennlp compare.
#   bash scripts/experiments/mesh_ablation.sh [RUNS_DIR] [EVAL_FILE]
# Each run is a full training run (about an hour on 2 cores); runs already done are kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-runs/ablation}
eval_file=${2:-data/corpus/test.json}
declare -A configs=(
  [seed]=training_configs/ablations/mesh_seed.jsonnet
  [candidates]=training_configs/ablations/mesh_candidates.jsonnet
  [candidates_head]=training_configs/ablations/mesh_candidates_head.jsonnet
  [final]=training_configs/mesh_mqan.jsonnet
)
order=(seed candidates candidates_head final)
for name in "${order[@]}"; do
  if [[ ! -f "$runs/$name/model.tar.gz" ]]; then
    rm -rf "${runs:?}/$name"
    /usr/bin/time -f "$name: %e s wall" allennlp train "${configs[$name]}" -s "$runs/$name"
  fi
done
archives=()
for name in "${order[@]}"; do archives+=("$name=$runs/$name/model.tar.gz"); done
allennlp compare "${archives[@]}" --eval "$eval_file" --output-dir "$runs/compare"
