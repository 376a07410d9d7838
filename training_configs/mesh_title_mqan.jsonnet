// MeSH indexing + title generation, one MQAN, on what a fresh clone has (the default corpus).
// Title generation ("What is the title of this article?", the abstract as context) is
// summarization in the MeSH task's own domain. It reads data/corpus/all/, which keeps the
// articles without MeSH headings and is split by the same PMID buckets as the MeSH splits,
// so no task trains on a MeSH test article.
//
//   allennlp train training_configs/mesh_title_mqan.jsonnet -s runs/mesh_title
//   allennlp evaluate-tasks runs/mesh_title/model.tar.gz \
//       mesh_indexing=data/corpus/test.json title_generation=data/corpus/all/test.json
//
// The MeSH side is the main job's (training_configs/mesh_mqan.jsonnet): same reader,
// retriever, label head, label-selection tuning and number of MeSH batches (4 epochs of the
// 12,050 training articles). Each epoch adds as many title batches (12,050 of the 26,505
// articles of all/train.json), spread evenly between the MeSH batches
// (homogeneous_proportional). Checkpoints are chosen by MeSH MiF.
local mqan = import 'mqan.libsonnet';

local mesh_file = 'data/mesh/descriptors.tsv';
local train = 'data/corpus/train.json';
local dim = 128;

local title_reader(max_instances) = {
  type: 'title_generation',
  builder: mqan.builder(max_context_tokens=256, max_question_tokens=12, max_answer_tokens=40),
  max_instances: max_instances,
};

local reader(title_instances) = {
  type: 'multitask',
  readers: {
    mesh_indexing: mqan.mesh_reader(train, mesh_file, top_k=40, eval_top_k=60),
    title_generation: title_reader(title_instances),
  },
};

{
  dataset_reader: reader(12050),
  // validation decodes every title step by step: 500 articles keep an epoch's check short
  validation_dataset_reader: reader(500),
  train_data_path: {
    mesh_indexing: train,
    title_generation: 'data/corpus/all/train.json',
  },
  validation_data_path: {
    mesh_indexing: 'data/corpus/validation.json',
    title_generation: 'data/corpus/all/validation.json',
  },
  datasets_for_vocab_creation: ['train'],
  vocabulary: {
    // every word of a training heading is in the answer vocabulary (as in the main job);
    // title words come in too (about 20k answer words in all, against 8k for MeSH alone)
    min_count: { tokens: 3, target_tokens: 1 },
  },
  data_loader: {
    type: 'multitask',
    scheduler: { type: 'homogeneous_proportional', batch_size: 32 },
    shuffle: true,
  },
  validation_data_loader: {
    type: 'multitask',
    scheduler: { type: 'homogeneous_roundrobin', batch_size: 64 },
    shuffle: false,
  },
  model: mqan.model(
    dim=dim,
    tasks={
      mesh_indexing: mqan.mesh_task(mesh_file, max_labels=20),
      title_generation: { metric: { type: 'decanlp_rouge' }, headline: 'avg' },
    },
    max_decoding_steps=60,
  ) + mqan.label_head(dim, candidate_features=mqan.candidate_features),
  trainer: mqan.trainer(num_epochs=4, validation_metric='+mesh_indexing_MiF', warmup_steps=300)
           + mqan.tune_label_selection,
  include_in_archive: ['artifacts'],
}
