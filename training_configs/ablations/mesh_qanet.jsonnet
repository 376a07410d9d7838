// Ablation: the main job (training_configs/mesh_mqan.jsonnet) with QANet's encoder
// (depthwise-separable convolutions + self-attention + feed-forward blocks, no recurrence)
// in place of MQAN's BiLSTM stages; everything else unchanged. One block per model-encoder
// stack: 91.8 GFLOP per training batch against the BiLSTM encoder's 69.9 (two blocks: 131.7;
// docs/methods.md).
local mqan = import '../mqan.libsonnet';
local main = import '../mesh_mqan.jsonnet';

main + { model+: { encoder: mqan.qanet_encoder(128, model_blocks=1) } }
