// The plain binary cross-entropy comparison for MeSH indexing: the MQAN encoder (shared
// BiLSTM, coattention, self-attention) reads title + abstract with the fixed question, and
// one sigmoid per descriptor seen in training scores every heading; no decoder, no
// candidates. Labels above a threshold (tuned on validation while training) are predicted.
//   allennlp train training_configs/mesh_bce.jsonnet -s runs/mesh_bce
local mqan = import 'mqan.libsonnet';

local mesh_file = 'data/mesh/descriptors.tsv';
local train = 'data/corpus/train.json';
local dim = 128;

{
  dataset_reader: {
    type: 'mesh_indexing',
    builder: mqan.builder(max_context_tokens=256),
    label_order: 'frequency',
    label_frequency_file: train,
    mesh_file: mesh_file,
  },
  train_data_path: train,
  validation_data_path: 'data/corpus/validation.json',
  datasets_for_vocab_creation: ['train'],
  vocabulary: { min_count: { tokens: 3, target_tokens: 1 } },
  data_loader: { batch_size: 32, shuffle: true },
  validation_data_loader: { batch_size: 64 },
  model: mqan.model(
    dim=dim,
    tasks={
      mesh_indexing: mqan.mesh_task(mesh_file) + {
        decoding+: { selection: { mode: 'scores', tune_mode: false } },
      },
    },
  ) + mqan.label_head(dim, label_loss_weight=1.0) + { use_decoder: false },
  trainer: mqan.trainer(num_epochs=5, validation_metric='+mesh_indexing_MiF', warmup_steps=300)
           + mqan.tune_label_selection,
  include_in_archive: ['artifacts'],
}
