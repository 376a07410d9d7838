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
from allennlp.data import Field, Instance, Token
from allennlp.data.fields import (
    LabelField,
    ListField,
    MetadataField,
    MultiLabelField,
    NamespaceSwappingField,
    TensorField,
    TextField,
)
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from allennlp.data.tokenizers import Tokenizer

from multitask.data.tokenizers import QAWordTokenizer
from multitask.qa.example import QACandidate, QAExample

logger = logging.getLogger(__name__)

START_SYMBOL = "@start@"
END_SYMBOL = "@end@"
TARGET_NAMESPACE = "target_tokens"
#: label ids for a label-scoring head; padded (index 0) with an OOV entry (index 1), so a
#: label never seen in training indexes to OOV instead of failing
LABEL_NAMESPACE = "answer_label_ids"
# AllenNLP warns about a label namespace that does not end in "labels"; this one is padded
# on purpose (unseen labels index to OOV), so the warning would only mislead
LabelField._already_warned_namespaces.add(LABEL_NAMESPACE)


#: candidate texts whose tokens are kept (several times the 30k MeSH descriptor names)
CANDIDATE_CACHE_SIZE = 200_000


class QAInstanceBuilder(FromParams):
    """Tokenizes, truncates (counting every truncation) and builds the fields.

    ``max_*_tokens`` of ``None`` means no limit. Truncation never drops an example.

    Candidates (``QAExample.candidates``) are appended to the question, ``separator``
    between them; a candidate that does not fit whole within ``max_question_tokens`` is
    left out and counted. Their token spans, label ids and features become the fields
    ``candidate_spans``, ``candidate_labels`` and ``candidate_features``; gold label ids
    (``QAExample.labels``) become ``labels``, in ``label_namespace``.
    """

    def __init__(
        self,
        tokenizer: Optional[Tokenizer] = None,
        token_indexers: Optional[dict[str, TokenIndexer]] = None,
        max_context_tokens: Optional[int] = 400,
        max_question_tokens: Optional[int] = 50,
        max_answer_tokens: Optional[int] = 100,
        target_namespace: str = TARGET_NAMESPACE,
        separator: str = ";",
        label_namespace: str = LABEL_NAMESPACE,
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
        self.separator = separator
        self.label_namespace = label_namespace
        self.truncated: Counter[str] = Counter()
        self.candidates_left_out = 0
        self.built = 0
        # candidate texts come from a fixed label set (30k MeSH names) and recur in every
        # question: tokenized once each (a fifth of building a MeSH prediction instance)
        self._candidate_words: dict[str, list[Token]] = {}

    def _tokens(self, text: str, part: str) -> list[Token]:
        tokens = self.tokenizer.tokenize(text)
        limit = self.limits[part]
        if limit is not None and len(tokens) > limit:
            self.truncated[part] += 1
            tokens = tokens[:limit]
        return tokens

    def truncation_report(self) -> str:
        left_out = (
            f"; {self.candidates_left_out} candidates left out of full questions"
            if self.candidates_left_out
            else ""
        )
        if not self.truncated:
            return f"{self.built} instances, none truncated{left_out}"
        parts = ", ".join(
            f"{part} {count} (limit {self.limits[part]})" for part, count in self.truncated.items()
        )
        return f"{self.built} instances; truncated: {parts}{left_out}"

    def _question_with_candidates(
        self, question: list[Token], candidates: list[QACandidate]
    ) -> tuple[list[Token], list[tuple[int, int]], list[QACandidate]]:
        """The question followed by the candidates; (start, end) token spans, inclusive."""
        limit = self.limits["question"]
        tokens = list(question)
        spans: list[tuple[int, int]] = []
        kept: list[QACandidate] = []
        for index, candidate in enumerate(candidates):
            words = self._candidate_tokens(candidate.text)
            if not words:
                continue
            addition = ([Token(self.separator)] if kept else []) + words
            if limit is not None and len(tokens) + len(addition) > limit:
                self.candidates_left_out += len(candidates) - index
                self.truncated["question"] += 1
                break
            tokens.extend(addition)
            spans.append((len(tokens) - len(words), len(tokens) - 1))
            kept.append(candidate)
        return tokens, spans, kept

    def _candidate_tokens(self, text: str) -> list[Token]:
        words = self._candidate_words.get(text)
        if words is None:
            if len(self._candidate_words) >= CANDIDATE_CACHE_SIZE:
                self._candidate_words.clear()
            words = self._candidate_words[text] = self.tokenizer.tokenize(text)
        return words

    def _candidate_fields(
        self, spans: list[tuple[int, int]], kept: list[QACandidate]
    ) -> dict[str, Field]:
        width = max((len(c.features) for c in kept), default=0)
        if any(len(c.features) != width for c in kept):
            raise ValueError("every candidate of an example needs the same number of features")
        if not kept:  # one padding entry: ListField cannot be empty
            return {
                "candidate_spans": TensorField(torch.full((1, 2), -1), padding_value=-1),
                "candidate_labels": ListField([LabelField(-1, skip_indexing=True)]),
                "candidate_features": TensorField(torch.zeros(1, width)),
            }
        return {
            "candidate_spans": TensorField(torch.tensor(spans), padding_value=-1),
            "candidate_labels": ListField(
                [LabelField(c.label, label_namespace=self.label_namespace) for c in kept]
            ),
            "candidate_features": TensorField(
                torch.tensor([list(c.features) for c in kept], dtype=torch.float)
            ),
        }

    def build(self, example: QAExample, index: bool = True) -> Instance:
        """The instance of ``example``; ``index=False`` leaves the text fields without token
        indexers (``apply_token_indexers`` adds them), as AllenNLP requires of instances
        read in data-loader worker processes.
        """
        context = self._tokens(example.context, "context") or [Token("@empty@")]
        question = self._tokens(example.question, "question") or [Token("@empty@")]
        candidate_fields: dict[str, Field] = {}
        kept: list[QACandidate] = []
        if example.candidates is not None:
            question, spans, kept = self._question_with_candidates(question, example.candidates)
            candidate_fields = self._candidate_fields(spans, kept)
        local_ids: dict[str, int] = {}
        for token in (*context, *question):
            local_ids.setdefault(token.text, len(local_ids) + 1)
        fields: dict[str, Field] = {
            "context": TextField(context),
            "question": TextField(question),
            "context_to_target": NamespaceSwappingField(context, self.target_namespace),
            "question_to_target": NamespaceSwappingField(question, self.target_namespace),
            "context_source_ids": TensorField(torch.tensor([local_ids[t.text] for t in context])),
            "question_source_ids": TensorField(torch.tensor([local_ids[t.text] for t in question])),
            **candidate_fields,
        }
        if example.labels is not None:
            fields["labels"] = MultiLabelField(
                sorted(example.labels), label_namespace=self.label_namespace
            )
        metadata = {
            "task": example.task,
            "source_words": list(local_ids),
            "context_tokens": [t.text for t in context],
            "question": example.question,
            "gold": example.gold,
            "answer": example.answer,
            **({"candidates": [c.label for c in kept]} if example.candidates is not None else {}),
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
