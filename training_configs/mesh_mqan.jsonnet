// MeSH indexing of PubMed abstracts as question answering with MQAN
// (McCann et al. 2018, "The Natural Language Decathlon: Multitask Learning as Question
// Answering", arXiv:1806.08730). Title + abstract in; "Which MeSH headings describe this
// article?"; the descriptors out, most frequent first, decoded through a trie of MeSH names.
//
// Data paths default to the corpus `make install` builds under data/; override them with
//   -o '{"train_data_path": "...", "validation_data_path": "..."}'
// Sized to finish on a 2-core CPU within an hour (see README).
local mqan = import 'mqan.libsonnet';

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
  vocabulary: {
    min_count: { tokens: 3, target_tokens: 2 },
  },
  // batches of similar answer length: less padding in the step-by-step decoder
  data_loader: { batch_sampler: { type: 'bucket', batch_size: 32, sorting_keys: ['answer'] } },
  validation_data_loader: { batch_sampler: { type: 'bucket', batch_size: 64, sorting_keys: ['context'] } },
  model: mqan.model(
    dim=128,
    tasks={
      mesh_indexing: {
        // at most 10 labels per article: chosen on the validation split with
        // scripts/tune_mesh_decoding.py (greedy decoding otherwise runs on past the gold count)
        decoding: { type: 'mesh_labels', mesh_file: mesh_file, tokenizer: mqan.tokenizer, max_labels: 10 },
        metric: { type: 'multilabel_f1' },
        headline: 'MiF',
      },
    },
    max_decoding_steps=80,
  ),
  trainer: mqan.trainer(num_epochs=6, validation_metric='+mesh_indexing_MiF'),
}
