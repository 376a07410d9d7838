#!/usr/bin/env bash
# A short multi-task run of training_configs/decanlp_mqan.jsonnet on the small public copies in
# ../shared/data (SQuAD 2.0 dev sample, SNLI dev, CNN/DM stories) plus the default MeSH corpus,
# a few hundred instances per task. The shared files are dev sets only, so SQuAD, NLI and
# summarization are validated on the instances they train on: a smoke test of the whole
# multi-task path with real data, not a held-out score. MeSH validates on its own split.
#   bash scripts/experiments/decanlp_shared_data_run.sh runs/decanlp_shared [instances per task] [epochs]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/decanlp_shared}
n=${2:-300}
epochs=${3:-12}
shared=${SHARED_DATA:-../shared/data}
export DECANLP_DATA=$shared
paths='{"mesh_indexing": "data/corpus/train.json",
        "squad": "'$shared'/squad/squad2_dev_small.json",
        "nli": "'$shared'/nli/snli_1.0_dev.jsonl",
        "cnn_dailymail": "'$shared'/cnn_dm/stories"}'
validation=${paths/train.json/validation.json}
.venv/bin/allennlp train training_configs/decanlp_mqan.jsonnet -s "$out" -o '{
  "train_data_path": '"$paths"',
  "validation_data_path": '"$validation"',
  "dataset_reader.readers.mesh_indexing.max_instances": '$n',
  "dataset_reader.readers.squad.max_instances": '$n',
  "dataset_reader.readers.nli.max_instances": '$n',
  "dataset_reader.readers.cnn_dailymail.max_instances": '$n',
  "vocabulary.min_count": {"tokens": 2, "target_tokens": 2},
  "model.dim": 64,
  "model.text_field_embedder.token_embedders.tokens.embedding_dim": 64,
  "model.encoder.dim": 64,
  "model.decoder.dim": 64,
  "model.tasks.mesh_indexing.decoding.max_labels": 10,
  "data_loader.scheduler.batch_size": 16,
  "data_loader.scheduler.first_task_batches": 20,
  "validation_data_loader.scheduler.batch_size": 32,
  "trainer.num_epochs": '$epochs'
}'
python3 - "$out/metrics.json" <<'PY'
import json, sys
metrics = json.load(open(sys.argv[1]))
print(f"best epoch {metrics['best_epoch']}, training took {metrics['training_duration']}")
for key, value in metrics.items():
    if key.startswith("best_validation_"):
        print(f"{key[len('best_validation_'):]:>24} {value:.4f}")
PY
