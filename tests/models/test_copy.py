"""Copying: an answer word that is not in the target vocabulary is produced from the context."""

import torch
from allennlp.common import Params
from allennlp.data import Batch, Vocabulary
from allennlp.models import Model

from multitask.qa.example import QAExample
from multitask.qa.instance_builder import QAInstanceBuilder

WORDS = ["zorblat", "quixel", "fernwhistle", "glamptor", "snorvik", "trundlebeck"]


def test_out_of_vocabulary_context_word_is_copied():
    torch.manual_seed(0)
    builder = QAInstanceBuilder()
    instances = [
        builder.build(
            QAExample(
                task="copy",
                question="what is the secret word ?",
                context=f"the secret word today is {word} , remember it",
                answer=word,
            )
        )
        for word in WORDS
    ]
    # each answer word occurs once: min_count 2 keeps all of them out of the target vocabulary
    vocab = Vocabulary.from_instances(instances, min_count={"target_tokens": 2})
    for word in WORDS:
        assert vocab.get_token_index(word, "target_tokens") == vocab.get_token_index(
            "@@UNKNOWN@@", "target_tokens"
        )
    model = Model.from_params(
        vocab=vocab,
        params=Params(
            {
                "type": "mqan",
                "dim": 16,
                "dropout": 0.0,
                "max_decoding_steps": 5,
                "text_field_embedder": {
                    "token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 16}}
                },
                "encoder": {"type": "mqan", "dim": 16, "heads": 2, "dropout": 0.0},
                "decoder": {"type": "mqan", "dim": 16, "heads": 2, "dropout": 0.0},
            }
        ),
    )
    batch = Batch(instances)
    batch.index_instances(vocab)
    tensors = batch.as_tensor_dict()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    model.train()
    for _ in range(60):
        optimizer.zero_grad()
        model(**tensors)["loss"].backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        output = model(**tensors)
    assert output["answer"] == WORDS
