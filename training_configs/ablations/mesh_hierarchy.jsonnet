// Ablation: the main job (training_configs/mesh_mqan.jsonnet) whose label head scores the
// pooled abstract against label vectors from a two-layer graph convolution over the MeSH
// tree (parents and children, up to the 16 categories) instead of one free vector per
// label; everything else unchanged.
local mqan = import '../mqan.libsonnet';
local main = import '../mesh_mqan.jsonnet';

main + { model+: mqan.label_head(128, candidate_features=mqan.candidate_features, mesh_file='data/mesh/descriptors.tsv') }
