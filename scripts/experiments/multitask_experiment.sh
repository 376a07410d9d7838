#!/usr/bin/env bash
# One row x seed of the multi-task experiment of docs/multitask.md: train, then score every
# task of the archive on its held-out file with `allennlp evaluate-tasks`.
#   bash scripts/experiments/multitask_experiment.sh ROW SEED [RUNS_DIR]
# ROW is one of
#   mesh             MeSH alone (training_configs/mesh_mqan.jsonnet)
#   mesh_title       MeSH + title generation, as many MeSH batches as `mesh` (377 per epoch)
#   mesh_title_half  MeSH + title generation, as many batches in all as `mesh` (equal
#                    wall-clock): 6,025 MeSH and 6,025 title articles per epoch
#   four             MeSH + titles + NLI + SQuAD training parts (needs ../shared/data)
# The protocol is short so that two seeds of every row fit on the 2-core machine: one epoch
# (EPOCHS, 377 MeSH batches) with 75 warm-up steps, the rest of each config unchanged.
# The run folder is kept when it already has an archive.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -n ${VIRTUAL_ENV:-} || ! -f .venv/bin/activate ]] || source .venv/bin/activate
row=$1
seed=$2
runs=${3:-runs/multitask}
epochs=${EPOCHS:-1}
warmup=${WARMUP:-75}
shared=${SHARED_DATA:-../shared/data}
out="$runs/${row}_s$seed"

common="\"random_seed\": $seed, \"numpy_seed\": $seed, \"pytorch_seed\": $seed,
        \"trainer.num_epochs\": $epochs, \"trainer.learning_rate_scheduler.warmup_steps\": $warmup"
tasks=(mesh_indexing=data/corpus/test.json)
case $row in
  mesh)
    config=training_configs/mesh_mqan.jsonnet
    overrides="{$common}" ;;
  mesh_title)
    config=training_configs/mesh_title_mqan.jsonnet
    overrides="{$common}" ;;
  mesh_title_half)
    config=training_configs/mesh_title_mqan.jsonnet
    overrides="{$common, \"dataset_reader.readers.mesh_indexing.max_instances\": 6025,
                \"dataset_reader.readers.title_generation.max_instances\": 6025}" ;;
  four)
    config=training_configs/mesh_title_nli_squad_mqan.jsonnet
    export SHARED_DATA=$shared
    overrides="{$common}"
    tasks+=(nli="$shared/nli/snli_1.0_dev.jsonl" squad="$shared/squad/squad2_dev_small.json") ;;
  *)
    echo "unknown row '$row' (mesh, mesh_title, mesh_title_half, four)" >&2
    exit 2 ;;
esac
[[ $row == mesh ]] || tasks+=(title_generation=data/corpus/all/test.json)

if [[ ! -f "$out/model.tar.gz" ]]; then
  rm -rf "$out"
  mkdir -p "$runs"
  start=$(date +%s)
  allennlp train "$config" -s "$out" -o "$overrides" > "$runs/${row}_s$seed.train.log" 2>&1
  echo "$(( $(date +%s) - start ))" > "$out/train_seconds"
fi
# at most the MeSH test split's size per task (1,549): every MeSH test article, the first
# 1,549 held-out titles of 3,365 and NLI pairs of 1,895, all 117 SQuAD questions
allennlp evaluate-tasks "$out/model.tar.gz" "${tasks[@]}" --max-instances "${MAX_EVAL:-1549}" \
  --output-file "$out/held_out_metrics.json" > "$runs/${row}_s$seed.eval.log" 2>&1
grep '^|' "$runs/${row}_s$seed.eval.log"
