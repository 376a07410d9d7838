// Domain pre-training: the whole MQAN (embeddings, encoder, decoder, output layer) trained
// as a conditional language model on every abstract of the default corpus ("What comes
// next?" after the title and the first part of an abstract: tasks/continuation.py), with
// and without MeSH headings (data/corpus/all/train.json, 26,505 abstracts; the test split's
// PMID bucket is never read). Then fine-tune on MeSH from these weights:
//
//   allennlp build-vocab training_configs/mesh_mqan.jsonnet data/vocabulary/mesh_mqan.tar.gz
//   allennlp train training_configs/mesh_lm_pretrain.jsonnet -s runs/mesh_lm
//   allennlp train training_configs/mesh_mqan_pretrained.jsonnet -s runs/mesh_pretrained
//
// The vocabulary is the main job's (built by the first command from its config), so that
// every pre-trained weight has the shape and row order the MeSH model expects; words of
// an abstract that are not in it are copied from the context or predicted as unknown.
// Checkpoints are chosen by validation loss (per answer word: exp(loss) is the perplexity).
local mqan = import 'mqan.libsonnet';

local dim = 128;
local vocabulary = 'data/vocabulary/mesh_mqan.tar.gz';

local reader(max_instances=null) = {
  type: 'abstract_continuation',
  answer_words: 30,
  builder: mqan.builder(max_context_tokens=256, max_question_tokens=8, max_answer_tokens=40),
  [if max_instances != null then 'max_instances']: max_instances,
};

{
  dataset_reader: reader(),
  // validation decodes every continuation step by step: 500 keep an epoch's check short
  validation_dataset_reader: reader(500),
  train_data_path: 'data/corpus/all/train.json',
  validation_data_path: 'data/corpus/all/validation.json',
  vocabulary: { type: 'from_files', directory: vocabulary },
  data_loader: { batch_sampler: { type: 'bucket', batch_size: 32, sorting_keys: ['context'] } },
  validation_data_loader: { batch_sampler: { type: 'bucket', batch_size: 64, sorting_keys: ['context'] } },
  model: mqan.model(
    dim=dim,
    tasks={ language_model: { metric: { type: 'decanlp_rouge' }, headline: 'avg' } },
    max_decoding_steps=40,
  ),
  trainer: mqan.trainer(num_epochs=2, validation_metric='-loss', warmup_steps=300),
}
