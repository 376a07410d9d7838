// Ablation row 3, "+ label head": row 2 with the label-scoring head on the encoder and the
// fused label selection (tuned on validation while training); the seed's recipe still
// (per-answer loss, constant learning rate). The main job adds the recipe on top.
local mqan = import '../mqan.libsonnet';
local row2 = import 'mesh_candidates.jsonnet';

local mesh_file = 'data/mesh/descriptors.tsv';

row2 + {
  model+: mqan.label_head(128, candidate_features=mqan.candidate_features) + {
    tasks: { mesh_indexing: mqan.mesh_task(mesh_file, max_labels=20) },
    max_decoding_steps: 60,
  },
  trainer+: mqan.tune_label_selection,
}
