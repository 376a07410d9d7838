#!/usr/bin/env bash
# Issue 19's shipped system against Annif: the main job (training_configs/mesh_mqan.jsonnet)
# trained with three seeds, then one comparison on the test split and one on the 800 modern
# BioASQ articles, each row's MiF difference to Annif with a paired-bootstrap 95% interval,
# and the seed table (docs/mesh_quality.md, "The main job on fused candidates").
#   bash scripts/experiments/round2_main_job.sh [RUNS_DIR] [STAGE]
# STAGE: train (the three runs), compare (the two tables), or all (default). Seed 0 is the
# config as shipped (AllenNLP's default seeds); seeds 1 and 2 override all three of its
# seeds. A run folder with an archive is kept. The candidate cache (data/candidates/) is
# built by the first run and read by the others. Annif's row needs its ensemble fitted on
# the same split first (about 13 minutes, one thread):
#   allennlp optimize '{"type": "annif_ensemble"}' --save runs/annif_rows/ensemble
# EXTRA adds NAME=SPEC rows to both tables (saved suggesters, other archives).
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -n ${VIRTUAL_ENV:-} || ! -f .venv/bin/activate ]] || source .venv/bin/activate
runs=${1:-runs/round2_main}
stage=${2:-all}
annif=${ANNIF:-runs/annif_rows/ensemble}
modern=../shared/data/bioasq/bioasq_sample_dev.json
mkdir -p "$runs"

if [[ $stage == train || $stage == all ]]; then
  for seed in 0 1 2; do
    out="$runs/main_s$seed"
    [[ -f $out/model.tar.gz ]] && continue
    rm -rf "$out"
    overrides="{}"
    if ((seed > 0)); then
      overrides="{\"random_seed\": $seed, \"numpy_seed\": $seed, \"pytorch_seed\": $seed}"
    fi
    start=$(date +%s)
    allennlp train training_configs/mesh_mqan.jsonnet -s "$out" -o "$overrides" \
      > "$runs/main_s$seed.train.log" 2>&1
    echo "main_s$seed: trained in $(( $(date +%s) - start )) s wall"
  done
fi

if [[ $stage == compare || $stage == all ]]; then
  [[ -d $annif ]] || { echo "no Annif ensemble at $annif (see the header)" >&2; exit 1; }
  rows=()
  for seed in 0 1 2; do rows+=("main_s$seed=$runs/main_s$seed/model.tar.gz"); done
  # more rows, e.g. EXTRA="fusion_s0=runs/fusion_s0 fusion_s1=runs/fusion_s1"
  read -r -a extra <<< "${EXTRA:-}"
  rows+=("${extra[@]}")
  allennlp compare "${rows[@]}" annif="$annif" --baselines tfidf_omikuji \
    --eval data/corpus/test.json --reference annif --threads 2 --no-progress \
    --output-dir "$runs/test"
  if [[ -f $modern ]]; then
    allennlp compare "${rows[@]}" annif="$annif" --baselines tfidf_omikuji \
      --eval "$modern" --reference annif --threads 2 --no-progress --output-dir "$runs/modern"
  else
    echo "skipped the modern articles: $modern not found (../shared is not beside this clone)"
  fi
fi
