// Shared pieces of every MQAN config: the QA instance builder, the model, the trainer.
// MQAN: McCann, Keskar, Xiong, Socher (2018), "The Natural Language Decathlon: Multitask
// Learning as Question Answering", arXiv:1806.08730.
{
  tokenizer: { type: 'qa_words', lowercase: true },

  builder(max_context_tokens=400, max_question_tokens=50, max_answer_tokens=null, separator=';'):: {
    tokenizer: $.tokenizer,
    token_indexers: { tokens: { type: 'single_id' } },
    max_context_tokens: max_context_tokens,
    max_question_tokens: max_question_tokens,
    max_answer_tokens: max_answer_tokens,
    separator: separator,
  },

  // What the MeSH question lists: TF-IDF + omikuji (Parabel), TF-IDF kNN and a lexical
  // matcher of MeSH names and entry terms, fused by a weighted mean. The matcher's weight was
  // chosen on the validation split (retriever alone, tuned limit and threshold: MiF 0.490
  // without it; 0.535 / 0.549 / 0.555 / 0.553 / 0.549 at weight 0.15 / 0.3 / 0.5 / 0.7 / 1.0;
  // recall of 60 candidates 0.751 -> 0.811).
  candidate_base:: {
    type: 'ensemble',
    members: {
      omikuji: { type: 'tfidf_omikuji', n_trees: 3 },
      knn: { type: 'tfidf_knn', neighbours: 40, power: 2.0 },
      lexical: { type: 'mesh_lexical' },
    },
    weights: { omikuji: 0.7, knn: 0.3, lexical: 0.5 },
  },
  // ... then re-ranked by boosted trees over the members' scores, ranks, priors and list
  // mass (docs/mesh_quality.md, "Learned fusion"; validation MiF alone 0.5727 vs the mean's
  // 0.5535). The candidate cache fits the base per fold and the trees on those lists.
  candidate_retriever:: { type: 'learned_fusion', base: $.candidate_base },
  // per candidate: the fused probability, one score per base member, then the reader's
  // match features
  candidate_features:: 1 + std.length(std.objectFields($.candidate_base.members)) + 4,
  // the fused probability is the first feature: the label head starts from its log-odds
  candidate_prior_feature:: 0,

  // The MeSH reader with top_k retrieved candidates listed in the question of a training
  // article, eval_top_k (default top_k) in that of any other article.
  mesh_reader(train, mesh_file, top_k=30, eval_top_k=null, max_context_tokens=256, max_labels=30):: {
    local listed = if eval_top_k == null then top_k else std.max(top_k, eval_top_k),
    type: 'mesh_indexing',
    builder: $.builder(max_context_tokens=max_context_tokens, max_question_tokens=12 + 5 * listed),
    label_order: 'candidates',
    label_frequency_file: train,
    mesh_file: mesh_file,
    max_labels: max_labels,
    candidates: {
      retriever: $.candidate_retriever,
      train_file: train,
      top_k: top_k,
      [if eval_top_k != null then 'eval_top_k']: eval_top_k,
    },
    match_features: true,
  },

  // The MeSH task's decoding (label trie), label selection and metric.
  mesh_task(mesh_file, max_labels=25):: {
    decoding: {
      type: 'mesh_labels',
      mesh_file: mesh_file,
      tokenizer: $.tokenizer,
      max_labels: max_labels,
      selection: { mode: 'fused' },
    },
    metric: { type: 'multilabel_f1' },
    headline: 'MiF',
  },

  // A label-scoring head on the encoder (added to a model(...)). With mesh_file, the label
  // vectors come from a graph convolution over the MeSH tree (hierarchy-aware) instead of
  // one free vector per label.
  label_head(dim, candidate_features=0, label_loss_weight=0.1, candidate_loss_weight=0.5,
             mesh_file=null, graph_layers=2, prior_feature=null):: {
    label_scorer: {
      type: 'pooled_label_scorer',
      dim: dim,
      candidate_features: candidate_features,
      [if prior_feature != null then 'prior_feature']: prior_feature,
      [if mesh_file != null then 'label_embedding']: {
        type: 'graph_convolution',
        graph: { type: 'mesh_tree', mesh_file: mesh_file },
        layers: graph_layers,
      },
    },
    label_loss_weight: label_loss_weight,
    candidate_loss_weight: candidate_loss_weight,
  },

  // QANet's encoder (convolutions + self-attention, no recurrence) in place of MQAN's
  // BiLSTM stages: model(...) + { encoder: qanet_encoder(dim) }.
  qanet_encoder(dim, heads=4, kernel_size=7, model_blocks=2, dropout=0.2):: {
    type: 'qanet',
    dim: dim,
    heads: heads,
    kernel_size: kernel_size,
    model_blocks: model_blocks,
    dropout: dropout,
  },

  // Tune the label selection on each validation pass (a callback: never at evaluation).
  tune_label_selection:: { callbacks+: [{ type: 'tune_label_selection' }] },

  model(dim=200, embedding_dim=dim, heads=4, transformer_layers=1, dropout=0.2, tasks={},
        beam_size=1, max_decoding_steps=60, pretrained_file=null):: {
    type: 'mqan',
    dim: dim,
    dropout: dropout,
    beam_size: beam_size,
    max_decoding_steps: max_decoding_steps,
    text_field_embedder: {
      token_embedders: {
        tokens: {
          type: 'embedding',
          embedding_dim: embedding_dim,
          trainable: true,
          [if pretrained_file != null then 'pretrained_file']: pretrained_file,
        },
      },
    },
    encoder: { type: 'mqan', dim: dim, heads: heads, transformer_layers: transformer_layers, dropout: dropout },
    decoder: { type: 'mqan', dim: dim, heads: heads, transformer_layers: transformer_layers, dropout: dropout },
    tasks: tasks,
  },

  trainer(num_epochs, lr=0.001, patience=null, validation_metric='+decaScore', grad_norm=5.0,
          warmup_steps=null):: {
    num_epochs: num_epochs,
    // linear warm-up, then linear decay to zero at the last step
    [if warmup_steps != null then 'learning_rate_scheduler']: {
      type: 'linear_with_warmup',
      warmup_steps: warmup_steps,
    },
    [if patience != null then 'patience']: patience,
    validation_metric: validation_metric,
    grad_norm: grad_norm,
    optimizer: { type: 'adam', lr: lr, betas: [0.9, 0.98] },
    // kill-safe checkpoint writes: `allennlp train --recover` always finds a whole checkpoint
    checkpointer: { type: 'atomic' },
    callbacks: [{ type: 'tensorboard' }],
  },
}
