// The ULMFiT variant of training_configs/mesh_mqan_pretrained.jsonnet: the same start from
// the weights of domain pre-training (runs/mesh_lm; the same overrides point it at another
// run), fine-tuned with ULMFiT's recipe (Howard & Ruder 2018): a slanted triangular
// learning rate, and discriminative rates, the lower layers learning slower (x 0.38 per
// group: embeddings, encoder, decoder + heads).
//
//   allennlp train training_configs/ablations/mesh_ulmfit.jsonnet -s runs/mesh_ulmfit
//
// Measured (docs/methods.md, one epoch, two seeds): the recipe costs MiF at this budget
// (0.5175 with pre-training, 0.5098 from a random start, vs 0.5190 for pre-training with
// the main job's own schedule), so mesh_mqan_pretrained.jsonnet does without it.
//
// Gradual unfreezing (ULMFiT's third part: the top group alone in epoch 1, one more group
// each epoch) is one override away: -o '{"trainer.learning_rate_scheduler.gradual_unfreezing": true}'.
local pretrained = import '../mesh_mqan_pretrained.jsonnet';

pretrained + {
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
      num_epochs: pretrained.trainer.num_epochs,
      cut_frac: 0.2,
      ratio: 32,
      discriminative_fine_tuning: true,
      decay_factor: 0.38,
    },
  },
}
