#!/usr/bin/env bash
# One row x seed of the method ablation of docs/methods.md: train the main job with one
# method switched on (or none), then score it on the test split with the comparison
# command (allennlp compare: MiF, EBF, MaF, HiF, next to the baselines).
#   bash scripts/experiments/method_experiment.sh ROW SEED [RUNS_DIR]
# ROW is one of
#   main        training_configs/mesh_mqan.jsonnet (every method off)
#   qanet       training_configs/ablations/mesh_qanet.jsonnet (QANet encoder)
#   hierarchy   training_configs/ablations/mesh_hierarchy.jsonnet (graph-convolved labels)
#   pretrained  training_configs/ablations/mesh_ulmfit.jsonnet, from RUNS_DIR/lm (domain
#               pre-training, trained first if missing: build-vocab, then
#               training_configs/mesh_lm_pretrain.jsonnet; SEED does not apply to it), with
#               ULMFiT's fine-tuning recipe
#   pretrained_linear  training_configs/mesh_mqan_pretrained.jsonnet: the same pre-trained
#               weights with the main job's own schedule (linear warm-up and decay, one rate)
#   recipe      ablations/mesh_ulmfit.jsonnet without the pre-trained weights (the control:
#               what ULMFiT's recipe alone does, from a random start)
# EPOCHS (default: each config's 4) and WARMUP shorten every row alike, for a short protocol.
# A run folder that already has an archive is kept; all rows together:
#   allennlp compare main_s1=RUNS_DIR/main_s1/model.tar.gz ... --eval data/corpus/test.json
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -n ${VIRTUAL_ENV:-} || ! -f .venv/bin/activate ]] || source .venv/bin/activate
row=$1
seed=$2
runs=${3:-runs/methods}
out="$runs/${row}_s$seed"
mkdir -p "$runs"

overrides="\"random_seed\": $seed, \"numpy_seed\": $seed, \"pytorch_seed\": $seed"
# the main job's vocabulary, which the pre-training and the ULMFiT configs read
vocab=data/vocabulary/mesh_mqan.tar.gz
main_vocabulary() {
  [[ -f $vocab ]] || allennlp build-vocab training_configs/mesh_mqan.jsonnet "$vocab"
}

case $row in
  main) config=training_configs/mesh_mqan.jsonnet ;;
  qanet) config=training_configs/ablations/mesh_qanet.jsonnet ;;
  hierarchy) config=training_configs/ablations/mesh_hierarchy.jsonnet ;;
  pretrained | pretrained_linear)
    config=training_configs/ablations/mesh_ulmfit.jsonnet
    [[ $row == pretrained ]] || config=training_configs/mesh_mqan_pretrained.jsonnet
    lm="$runs/lm"
    # one pre-training run for every seed: a second job waits for the first one's
    exec 9> "$runs/lm.lock"
    flock 9
    if [[ ! -f "$lm/best.th" ]]; then
      main_vocabulary
      rm -rf "$lm"
      start=$(date +%s)
      allennlp train training_configs/mesh_lm_pretrain.jsonnet -s "$lm" > "$runs/lm.train.log" 2>&1
      echo "$(( $(date +%s) - start ))" > "$lm/train_seconds"
    fi
    flock -u 9
    overrides+=", \"vocabulary\": {\"type\": \"from_files\", \"directory\": \"$lm/vocabulary\"},
      \"model.initializer\": {\"regexes\": [[\"^(text_field_embedder|projection|encoder|decoder|answer_embedding|generator)\\\\.\",
        {\"type\": \"pretrained\", \"weights_file_path\": \"$lm/best.th\"}]]}" ;;
  recipe)
    config=training_configs/ablations/mesh_ulmfit.jsonnet
    main_vocabulary
    overrides+=", \"vocabulary.directory\": \"$vocab\", \"model.initializer.regexes\": []" ;;
  *)
    echo "unknown row '$row' (main, qanet, hierarchy, pretrained, recipe, pretrained_linear)" >&2
    exit 2 ;;
esac

if [[ -n ${EPOCHS:-} ]]; then
  overrides+=", \"trainer.num_epochs\": $EPOCHS"
  if [[ $config == */mesh_ulmfit.jsonnet ]]; then  # slanted triangular: spans num_epochs
    overrides+=", \"trainer.learning_rate_scheduler.num_epochs\": $EPOCHS"
  else
    overrides+=", \"trainer.learning_rate_scheduler.warmup_steps\": ${WARMUP:-75}"
  fi
fi

if [[ ! -f "$out/model.tar.gz" ]]; then
  rm -rf "$out"
  start=$(date +%s)
  allennlp train "$config" -s "$out" -o "{$overrides}" > "$runs/${row}_s$seed.train.log" 2>&1
  echo "$(( $(date +%s) - start ))" > "$out/train_seconds"
fi
allennlp evaluate-tasks "$out/model.tar.gz" mesh_indexing=data/corpus/test.json \
  --output-file "$out/held_out_metrics.json" > "$runs/${row}_s$seed.eval.log" 2>&1
grep '^|' "$runs/${row}_s$seed.eval.log"
