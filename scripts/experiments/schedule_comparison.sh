#!/usr/bin/env bash
# Which multi-task schedule (docs/multitask.md): the four-task config (MeSH + titles + NLI
# + SQuAD) on a small slice, one seed, the same constant learning rate for each schedule
# (the warm-up/decay schedule counts steps from the first epoch's length, which the
# anti-curriculum's first phase changes), scored on the validation sets.
#   bash scripts/experiments/schedule_comparison.sh [RUNS_DIR] [ARTICLES]
#   proportional     homogeneous_proportional, 1 epoch
#   roundrobin       homogeneous_roundrobin (one batch per task in turn), 1 epoch
#   anti_curriculum  decaNLP's: SQuAD's training part alone (one epoch of 16 batches), then
#                    homogeneous_proportional for 1 epoch
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -n ${VIRTUAL_ENV:-} || ! -f .venv/bin/activate ]] || source .venv/bin/activate
runs=${1:-runs/schedules}
articles=${2:-1500}
export SHARED_DATA=${SHARED_DATA:-../shared/data}
mkdir -p "$runs"
base="\"random_seed\": 1, \"numpy_seed\": 1, \"pytorch_seed\": 1,
  \"dataset_reader.readers.mesh_indexing.max_instances\": $articles,
  \"dataset_reader.readers.title_generation.max_instances\": $articles,
  \"dataset_reader.readers.nli.max_instances\": $articles,
  \"trainer.learning_rate_scheduler\": null"
declare -A schedulers=(
  [proportional]='{"type": "homogeneous_proportional", "batch_size": 32}'
  [roundrobin]='{"type": "homogeneous_roundrobin", "batch_size": 32}'
  [anti_curriculum]='{"type": "anti_curriculum", "batch_size": 32, "first_task": "squad", "first_task_batches": 16, "then": {"type": "homogeneous_proportional", "batch_size": 32}}'
)
for name in proportional roundrobin anti_curriculum; do
  epochs=1
  [[ $name == anti_curriculum ]] && epochs=2
  out="$runs/$name"
  if [[ ! -f "$out/metrics.json" ]]; then
    rm -rf "$out"
    allennlp train training_configs/mesh_title_nli_squad_mqan.jsonnet -s "$out" -o "{$base,
      \"trainer.num_epochs\": $epochs, \"data_loader.scheduler\": ${schedulers[$name]}}" \
      > "$runs/$name.log" 2>&1
  fi
done
python - "$runs" <<'PY'
import json, sys
from pathlib import Path
keys = ["mesh_indexing_MiF", "title_generation_avg", "nli_EM", "squad_nF1", "decaScore"]
print("| schedule | " + " | ".join(f"validation {k}" for k in keys) + " | training time |")
print("|---" * (len(keys) + 2) + "|")
for name in ["proportional", "roundrobin", "anti_curriculum"]:
    m = json.loads((Path(sys.argv[1]) / name / "metrics.json").read_text())
    cells = [f"{m.get('best_validation_' + k, float('nan')):.4f}" for k in keys]
    print(f"| {name} | " + " | ".join(cells) + f" | {m['training_duration']} |")
PY
