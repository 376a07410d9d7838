// MeSH indexing + title generation + NLI + SQuAD: training_configs/mesh_title_mqan.jsonnet
// plus the two dev-set copies in ../shared/data, each read as a training part (80% of its
// contexts, by hash) and a held-out part (the other 20%) that only evaluation reads.
//
//   SHARED_DATA=../shared/data allennlp train training_configs/mesh_title_nli_squad_mqan.jsonnet -s runs/mesh_four
//   allennlp evaluate-tasks runs/mesh_four/model.tar.gz \
//       mesh_indexing=data/corpus/test.json title_generation=data/corpus/all/test.json \
//       nli=../shared/data/nli/snli_1.0_dev.jsonl squad=../shared/data/squad/squad2_dev_small.json
//
// The scores on these parts are not comparable with published dev-set figures (a split made
// here, docs/multitask.md). NLI and SQuAD batches are spread between the others in
// proportion to their sizes (about 7,900 and 500 training examples).
local mqan = import 'mqan.libsonnet';
local base = import 'mesh_title_mqan.jsonnet';

local shared = std.extVar('SHARED_DATA');
local readers(part) = {
  nli: { type: 'decanlp_nli', builder: mqan.builder(max_context_tokens=256), split_part: part },
  squad: { type: 'decanlp_squad', builder: mqan.builder(max_context_tokens=256), split_part: part },
};
local files = {
  nli: shared + '/nli/snli_1.0_dev.jsonl',
  squad: shared + '/squad/squad2_dev_small.json',
};

base + {
  dataset_reader+: { readers+: readers('train') },
  // the NLI and SQuAD figures printed each epoch are on the held-out parts, for watching
  // only: checkpoints are chosen by MeSH MiF (choosing them by these would tune on the
  // held-out parts that `allennlp evaluate-tasks` reports)
  validation_dataset_reader+: { readers+: readers('held_out') },
  train_data_path+: files,
  validation_data_path+: files,
  model+: {
    tasks+: {
      nli: { metric: { type: 'decanlp_exact_match' }, headline: 'EM' },
      squad: { metric: { type: 'decanlp_squad' }, headline: 'nF1' },
    },
  },
}
