// Shared pieces of every MQAN config: the QA instance builder, the model, the trainer.
// MQAN: McCann, Keskar, Xiong, Socher (2018), "The Natural Language Decathlon: Multitask
// Learning as Question Answering", arXiv:1806.08730.
{
  tokenizer: { type: 'qa_words', lowercase: true },

  builder(max_context_tokens=400, max_question_tokens=50, max_answer_tokens=null):: {
    tokenizer: $.tokenizer,
    token_indexers: { tokens: { type: 'single_id' } },
    max_context_tokens: max_context_tokens,
    max_question_tokens: max_question_tokens,
    max_answer_tokens: max_answer_tokens,
  },

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

  trainer(num_epochs, lr=0.001, patience=null, validation_metric='+decaScore', grad_norm=5.0):: {
    num_epochs: num_epochs,
    [if patience != null then 'patience']: patience,
    validation_metric: validation_metric,
    grad_norm: grad_norm,
    optimizer: { type: 'adam', lr: lr, betas: [0.9, 0.98] },
    // kill-safe checkpoint writes: `allennlp train --recover` always finds a whole checkpoint
    checkpointer: { type: 'atomic' },
    callbacks: [{ type: 'tensorboard' }],
  },
}
