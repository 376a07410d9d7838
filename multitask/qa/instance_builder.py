"""Turn a QAExample into the AllenNLP Instance that MQAN reads; shared by every task.

Copying works like decaNLP's extended vocabulary: each distinct word of context+question
gets an instance-local id (1-based, first occurrence), the model maps it past the end of
the target vocabulary when the word is out of vocabulary, and answer words that occur in
the sources carry the same local id so the loss can reward copying them.
"""

import logging
from collections import Counter
from typing import Optional

import torch
from allennlp.common import FromParams
from allennlp.data import Instance, Token
from allennlp.data.fields import MetadataField, NamespaceSwappingField, TensorField, TextField
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from allennlp.data.tokenizers import Tokenizer

from multitask.data.tokenizers import QAWordTokenizer
from multitask.qa.example import QAExample

logger = logging.getLogger(__name__)

START_SYMBOL = "@start@"
END_SYMBOL = "@end@"
TARGET_NAMESPACE = "target_tokens"


class QAInstanceBuilder(FromParams):
    """Tokenizes, truncates (counting every truncation) and builds the fields.

    ``max_*_tokens`` of ``None`` means no limit. Truncation never drops an example.
    """

    def __init__(
        self,
        tokenizer: Optional[Tokenizer] = None,
        token_indexers: Optional[dict[str, TokenIndexer]] = None,
        max_context_tokens: Optional[int] = 400,
        max_question_tokens: Optional[int] = 50,
        max_answer_tokens: Optional[int] = 100,
        target_namespace: str = TARGET_NAMESPACE,
    ) -> None:
        self.tokenizer = tokenizer or QAWordTokenizer()
        self.token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}
        self.limits = {
            "context": max_context_tokens,
            "question": max_question_tokens,
            "answer": max_answer_tokens,
        }
        self.target_namespace = target_namespace
        self.target_indexers = {"tokens": SingleIdTokenIndexer(namespace=target_namespace)}
        self.truncated: Counter[str] = Counter()
        self.built = 0

    def _tokens(self, text: str, part: str) -> list[Token]:
        tokens = self.tokenizer.tokenize(text)
        limit = self.limits[part]
        if limit is not None and len(tokens) > limit:
            self.truncated[part] += 1
            tokens = tokens[:limit]
        return tokens

    def truncation_report(self) -> str:
        if not self.truncated:
            return f"{self.built} instances, none truncated"
        parts = ", ".join(
            f"{part} {count} (limit {self.limits[part]})" for part, count in self.truncated.items()
        )
        return f"{self.built} instances; truncated: {parts}"

    def build(self, example: QAExample, index: bool = True) -> Instance:
        """The instance of ``example``; ``index=False`` leaves the text fields without token
        indexers (``apply_token_indexers`` adds them), as AllenNLP requires of instances
        read in data-loader worker processes.
        """
        context = self._tokens(example.context, "context") or [Token("@empty@")]
        question = self._tokens(example.question, "question") or [Token("@empty@")]
        local_ids: dict[str, int] = {}
        for token in (*context, *question):
            local_ids.setdefault(token.text, len(local_ids) + 1)
        fields = {
            "context": TextField(context),
            "question": TextField(question),
            "context_to_target": NamespaceSwappingField(context, self.target_namespace),
            "question_to_target": NamespaceSwappingField(question, self.target_namespace),
            "context_source_ids": TensorField(torch.tensor([local_ids[t.text] for t in context])),
            "question_source_ids": TensorField(torch.tensor([local_ids[t.text] for t in question])),
        }
        metadata = {
            "task": example.task,
            "source_words": list(local_ids),
            "context_tokens": [t.text for t in context],
            "question": example.question,
            "gold": example.gold,
            "answer": example.answer,
            **example.metadata,
        }
        if example.answer is not None:
            answer = self._tokens(example.answer, "answer")
            answer = [Token(START_SYMBOL), *answer, Token(END_SYMBOL)]
            fields["answer"] = TextField(answer)
            fields["answer_source_ids"] = TensorField(
                torch.tensor([local_ids.get(t.text, 0) for t in answer])
            )
        fields["task"] = MetadataField(example.task)
        fields["metadata"] = MetadataField(metadata)
        self.built += 1
        instance = Instance(fields)
        if index:
            self.apply_token_indexers(instance)
        return instance

    def apply_token_indexers(self, instance: Instance) -> None:
        instance["context"].token_indexers = self.token_indexers
        instance["question"].token_indexers = self.token_indexers
        if "answer" in instance.fields:
            instance["answer"].token_indexers = self.target_indexers
