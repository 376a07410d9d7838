// MeSH indexing of PubMed abstracts as question answering with MQAN
// (McCann et al. 2018, "The Natural Language Decathlon: Multitask Learning as Question
// Answering", arXiv:1806.08730). Title + abstract in; the question lists the K descriptors
// a retriever proposes (TF-IDF + omikuji, kNN and a lexical matcher, re-ranked by boosted
// trees: "Which MeSH headings describe this article? a ; b ; c ..."); the answer is the
// gold headings, in the order the question lists them, decoded through a trie of MeSH
// names. A label-scoring head on the same encoder gives each heading a probability, used
// to keep, drop and add decoded labels (thresholds tuned on the validation split while
// training).
//
// The retriever is fitted by this command itself (out-of-fold for the training articles)
// and cached under data/candidates/; the archive carries it and the MeSH table.
// Data paths default to the corpus `make install` builds under data/; to point elsewhere,
//   -o '{"train_data_path": "...", "validation_data_path": "...",
//        "dataset_reader.candidates.train_file": "...", "dataset_reader.label_frequency_file": "..."}'
local mqan = import 'mqan.libsonnet';

local mesh_file = 'data/mesh/descriptors.tsv';
local train = 'data/corpus/train.json';
local dim = 128;

{
  // 40 candidates per training article (out of fold), 60 for any other article
  dataset_reader: mqan.mesh_reader(train, mesh_file, top_k=40, eval_top_k=60),
  train_data_path: train,
  validation_data_path: 'data/corpus/validation.json',
  datasets_for_vocab_creation: ['train'],
  vocabulary: {
    // every word of a training heading is in the answer vocabulary, so no candidate is
    // unreachable through the label trie
    min_count: { tokens: 3, target_tokens: 1 },
  },
  // batches of similar answer length: less padding in the step-by-step decoder
  data_loader: { batch_sampler: { type: 'bucket', batch_size: 32, sorting_keys: ['answer'] } },
  validation_data_loader: { batch_sampler: { type: 'bucket', batch_size: 64, sorting_keys: ['context'] } },
  model: mqan.model(
    dim=dim,
    tasks={ mesh_indexing: mqan.mesh_task(mesh_file, max_labels=20) },
    max_decoding_steps=60,
  ) + mqan.label_head(
    dim,
    candidate_features=mqan.candidate_features,
    prior_feature=mqan.candidate_prior_feature,
  ),
  // 3 epochs: the 4-epoch run peaked at epoch 2 on validation (0.5417 / 0.5603 / 0.5598 /
  // 0.5578), and the main job must stay under an hour on two cores
  trainer: mqan.trainer(num_epochs=3, validation_metric='+mesh_indexing_MiF', warmup_steps=300)
           + mqan.tune_label_selection,
  include_in_archive: ['artifacts'],
}
