// Ablation row 2, "+ candidates": the seed (ablations/mesh_seed.jsonnet) with the
// retriever's top 30 descriptors listed in the question and the answer in their order;
// the decoder alone decides (capped at 10 labels, as the seed). Same recipe as the seed.
local mqan = import '../mqan.libsonnet';
local seed = import 'mesh_seed.jsonnet';

local mesh_file = 'data/mesh/descriptors.tsv';
local train = 'data/corpus/train.json';

seed + {
  dataset_reader: mqan.mesh_reader(train, mesh_file),
  datasets_for_vocab_creation: ['train'],
  vocabulary: { min_count: { tokens: 3, target_tokens: 1 } },
}
