// Ablation row 1, "MQAN as the seed had it": the fixed question, no candidates, no label
// head, per-answer loss, constant learning rate, greedy decoding capped at 10 labels.
// Same split, epochs and model size as training_configs/mesh_mqan.jsonnet.
local mqan = import '../mqan.libsonnet';

local mesh_file = 'data/mesh/descriptors.tsv';
local train = 'data/corpus/train.json';

{
  dataset_reader: {
    type: 'mesh_indexing',
    builder: mqan.builder(max_context_tokens=256),
    label_order: 'frequency',
    label_frequency_file: train,
    mesh_file: mesh_file,
    max_labels: 20,
  },
  train_data_path: train,
  validation_data_path: 'data/corpus/validation.json',
  vocabulary: { min_count: { tokens: 3, target_tokens: 2 } },
  data_loader: { batch_sampler: { type: 'bucket', batch_size: 32, sorting_keys: ['answer'] } },
  validation_data_loader: { batch_sampler: { type: 'bucket', batch_size: 64, sorting_keys: ['context'] } },
  model: mqan.model(
    dim=128,
    tasks={ mesh_indexing: mqan.mesh_task(mesh_file, max_labels=10) + {
      decoding+: { selection: null },
    } },
    max_decoding_steps=80,
  ) + { loss_normalization: 'instances' },
  trainer: mqan.trainer(num_epochs=5, validation_metric='+mesh_indexing_MiF'),
  include_in_archive: ['artifacts'],
}
