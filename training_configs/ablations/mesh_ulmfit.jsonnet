// The ULMFiT variant of training_configs/mesh_mqan_pretrained.jsonnet: the MeSH main job
// started from the weights of domain pre-training (training_configs/mesh_lm_pretrain.jsonnet),
// fine-tuned with ULMFiT's recipe
// (Howard & Ruder 2018): a slanted triangular learning rate, and discriminative rates, the
// lower layers learning slower (x 0.38 per group: embeddings, encoder, decoder + heads).
//
//   allennlp train training_configs/ablations/mesh_ulmfit.jsonnet -s runs/mesh_ulmfit
//
// Measured (docs/methods.md, one epoch, two seeds): the recipe costs MiF at this budget
// (0.5175 with pre-training, 0.5098 from a random start, vs 0.5190 for pre-training with
// the main job's own schedule), so mesh_mqan_pretrained.jsonnet does without it.
//
// Everything but the label head and the tuned selection starts from runs/mesh_lm (the
// initializer is applied when training only: the archive carries the fine-tuned weights).
// From another pre-training run, override the two paths:
//   -o '{"vocabulary.directory": "RUN/vocabulary",
//        "model.initializer.regexes": [["^(text_field_embedder|projection|encoder|decoder|answer_embedding|generator)\\.",
//                                       {"type": "pretrained", "weights_file_path": "RUN/best.th"}]]}'
// Gradual unfreezing (ULMFiT's third part: the top group alone in epoch 1, one more group
// each epoch) is one override away: -o '{"trainer.learning_rate_scheduler.gradual_unfreezing": true}'.
local main = import '../mesh_mqan.jsonnet';

local lm_run = 'runs/mesh_lm';
local pretrained = '^(text_field_embedder|projection|encoder|decoder|answer_embedding|generator)\\.';

main + {
  vocabulary: { type: 'from_files', directory: lm_run + '/vocabulary' },
  model+: {
    initializer: {
      regexes: [[pretrained, { type: 'pretrained', weights_file_path: lm_run + '/best.th' }]],
    },
  },
  trainer+: {
    optimizer+: {
      // bottom to top; every parameter is in a group (gradual unfreezing needs the
      // default group empty)
      parameter_groups: [
        [['^(text_field_embedder|projection|answer_embedding)\\.'], {}],
        [['^encoder\\.'], {}],
        [['^(decoder|generator|label_scorer)\\.'], {}],
      ],
    },
    learning_rate_scheduler: {
      type: 'slanted_triangular',
      num_epochs: main.trainer.num_epochs,
      cut_frac: 0.2,
      ratio: 32,
      discriminative_fine_tuning: true,
      decay_factor: 0.38,
    },
  },
}
