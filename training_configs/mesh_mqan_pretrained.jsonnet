// The MeSH main job (training_configs/mesh_mqan.jsonnet) started from the weights of domain
// pre-training (training_configs/mesh_lm_pretrain.jsonnet), fine-tuned with the main job's
// own schedule and rates:
//
//   allennlp build-vocab training_configs/mesh_mqan.jsonnet data/vocabulary/mesh_mqan.tar.gz
//   allennlp train training_configs/mesh_lm_pretrain.jsonnet -s runs/mesh_lm
//   allennlp train training_configs/mesh_mqan_pretrained.jsonnet -s runs/mesh_pretrained
//
// Everything but the label head and the tuned selection starts from runs/mesh_lm (the
// initializer is applied when training only: the archive carries the fine-tuned weights).
// From another pre-training run, override the two paths:
//   -o '{"vocabulary.directory": "RUN/vocabulary",
//        "model.initializer.regexes": [["^(text_field_embedder|projection|encoder|decoder|answer_embedding|generator)\\.",
//                                       {"type": "pretrained", "weights_file_path": "RUN/best.th"}]]}'
// ULMFiT's recipe (slanted triangular rate, discriminative rates, gradual unfreezing) is
// training_configs/ablations/mesh_ulmfit.jsonnet: it cost MiF at the measured budget
// (docs/methods.md).
local main = import 'mesh_mqan.jsonnet';

local lm_run = 'runs/mesh_lm';
local pretrained = '^(text_field_embedder|projection|encoder|decoder|answer_embedding|generator)\\.';

main + {
  vocabulary: { type: 'from_files', directory: lm_run + '/vocabulary' },
  model+: {
    initializer: {
      regexes: [[pretrained, { type: 'pretrained', weights_file_path: lm_run + '/best.th' }]],
    },
  },
}
