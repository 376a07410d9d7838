// decaNLP-style multi-task MQAN: one model, one set of parameters, every task framed as
// question answering (McCann et al. 2018, "The Natural Language Decathlon: Multitask
// Learning as Question Answering", arXiv:1806.08730).
// Tasks: MeSH indexing (default corpus), SQuAD, NLI (MultiNLI), CNN/DailyMail summarization.
//
// DECANLP_DATA is the folder the README's download commands fill:
//   DECANLP_DATA=~/decanlp_data allennlp train training_configs/decanlp_mqan.jsonnet -s runs/decanlp
// Schedule: decaNLP's anti-curriculum (SQuAD alone first, then every task round-robin);
// swap in {type: 'homogeneous_roundrobin'} or {type: 'homogeneous_proportional'}.
local mqan = import 'mqan.libsonnet';

local data = std.extVar('DECANLP_DATA');
local mesh_file = 'data/mesh/descriptors.tsv';
local builder = mqan.builder(max_context_tokens=400, max_answer_tokens=100);

{
  dataset_reader: {
    type: 'multitask',
    readers: {
      mesh_indexing: {
        type: 'mesh_indexing',
        builder: mqan.builder(max_context_tokens=400),
        label_frequency_file: 'data/corpus/train.json',
        mesh_file: mesh_file,
        max_labels: 20,
      },
      squad: { type: 'decanlp_squad', builder: builder },
      nli: { type: 'decanlp_nli', builder: builder },
      cnn_dailymail: { type: 'decanlp_cnn_dailymail', builder: builder },
    },
  },
  train_data_path: {
    mesh_indexing: 'data/corpus/train.json',
    squad: data + '/squad/train-v1.1.json',
    nli: data + '/multinli_1.0/multinli_1.0_train.jsonl',
    cnn_dailymail: data + '/cnn_dailymail/train.jsonl',
  },
  validation_data_path: {
    mesh_indexing: 'data/corpus/validation.json',
    squad: data + '/squad/dev-v1.1.json',
    nli: data + '/multinli_1.0/multinli_1.0_dev_matched.jsonl',
    cnn_dailymail: data + '/cnn_dailymail/validation.jsonl',
  },
  vocabulary: { min_count: { tokens: 3, target_tokens: 3 }, max_vocab_size: { target_tokens: 50000 } },
  data_loader: {
    type: 'multitask',
    scheduler: { type: 'anti_curriculum', batch_size: 32, first_task: 'squad', first_task_batches: 2000 },
    shuffle: true,
  },
  validation_data_loader: {
    type: 'multitask',
    scheduler: { type: 'homogeneous_roundrobin', batch_size: 64 },
    shuffle: false,
  },
  model: mqan.model(
    dim=200,
    tasks={
      mesh_indexing: {
        decoding: { type: 'mesh_labels', mesh_file: mesh_file, tokenizer: mqan.tokenizer },
        metric: { type: 'multilabel_f1' },
        headline: 'MiF',
      },
      squad: { metric: { type: 'decanlp_squad' }, headline: 'nF1' },
      nli: { metric: { type: 'decanlp_exact_match' }, headline: 'EM' },
      cnn_dailymail: { metric: { type: 'decanlp_rouge' }, headline: 'avg' },
    },
    max_decoding_steps=100,
  ),
  trainer: mqan.trainer(num_epochs=10, validation_metric='+decaScore'),
}
