"""MeSH decoding: a trie of heading names keeps every output a real descriptor."""

import logging
from typing import Optional

from allennlp.data import Vocabulary
from allennlp.data.tokenizers import Tokenizer
from allennlp.nn.beam_search import Constraint

from multitask.data.tokenizers import QAWordTokenizer
from multitask.decoding.label_selection import LabelSelection
from multitask.decoding.label_trie import LabelSequenceConstraint, LabelTrie
from multitask.decoding.task_decoding import TaskDecoding
from multitask.qa.instance_builder import END_SYMBOL
from tasks.mesh_indexing.reader import DEFAULT_MESH_FILE, SEPARATOR, load_mesh, mesh_file_for

logger = logging.getLogger(__name__)


@TaskDecoding.register("mesh_labels")
class MeshLabelDecoding(TaskDecoding):
    """Valid descriptors by construction: decoding walks a trie of tokenized heading names.

    Only headings whose every word is in the model's target vocabulary are reachable; the
    count is logged when the trie is built. Answers map back to ``{"ui", "name"}``.
    ``max_labels`` caps the labels the decoder emits per article (pass another with
    ``-o '{"model.tasks.mesh_indexing.decoding.max_labels": N}'``).

    # Parameters

    mesh_file : `str`, optional
        MeSH descriptors; a model archive carries its own copy, used in preference.
    tokenizer : `Tokenizer`, optional
        Must be the one the instance builder uses.
    constrained : `bool`, optional (default = `True`)
    max_labels : `int`, optional
        Cap on the labels the decoder emits.
    selection : `LabelSelection`, optional
        With a label-scoring head in the model: how decoder labels and head probabilities
        make the final set (tuned on validation while training).
    serialization_dir : `str`, optional
        Given by AllenNLP (training run or extracted archive): where the archived MeSH table is.
    """

    def __init__(
        self,
        mesh_file: str = DEFAULT_MESH_FILE,
        tokenizer: Optional[Tokenizer] = None,
        constrained: bool = True,
        max_labels: Optional[int] = None,
        selection: Optional[LabelSelection] = None,
        serialization_dir: Optional[str] = None,
    ) -> None:
        self.mesh_file = mesh_file_for(mesh_file, serialization_dir)
        self.selection = selection
        self.max_labels = max_labels
        self.tokenizer = tokenizer or QAWordTokenizer()
        self.constrained = constrained
        self._by_words: Optional[dict[tuple[str, ...], tuple[str, str]]] = None

    def _words(self, text: str) -> list[str]:
        return [token.text for token in self.tokenizer.tokenize(text)]

    @property
    def by_words(self) -> dict[tuple[str, ...], tuple[str, str]]:
        if self._by_words is None:
            table: dict[tuple[str, ...], tuple[str, str]] = {}
            collisions = []
            for descriptor in load_mesh(self.mesh_file):
                if descriptor.ui is not None:
                    words = tuple(self._words(descriptor.name))
                    if words in table:
                        collisions.append(f"{descriptor.ui} {descriptor.name!r} ~ {table[words]}")
                    table.setdefault(words, (descriptor.ui, descriptor.name))
            if collisions:
                logger.warning(
                    "%d MeSH headings tokenize like an earlier one and cannot be predicted: %s",
                    len(collisions),
                    "; ".join(collisions[:5]),
                )
            self._by_words = table
        return self._by_words

    def constraint(self, vocab: Vocabulary, namespace: str) -> Optional[Constraint]:
        if not self.constrained:
            return None
        unk = vocab.get_token_index(vocab._oov_token, namespace)
        separator = vocab.get_token_index(SEPARATOR, namespace)
        if separator == unk:
            raise ValueError(f"the separator {SEPARATOR!r} is not in the {namespace} vocabulary")
        trie = LabelTrie()
        unreachable = 0
        for words in self.by_words:
            ids = [vocab.get_token_index(word, namespace) for word in words]
            if not ids or unk in ids or separator in ids:
                unreachable += 1
                continue
            trie.add(ids)
        logger.info(
            "MeSH decoding constraint: %d descriptors reachable, %d not (a word outside the "
            "%s vocabulary)",
            len(trie),
            unreachable,
            namespace,
        )
        return LabelSequenceConstraint(
            trie, separator, vocab.get_token_index(END_SYMBOL, namespace), self.max_labels
        )

    def decoded_labels(self, tokens: list[str]) -> list[str]:
        return [label["ui"] for label in self._parse(tokens)[0]]

    def postprocess(
        self, tokens: list[str], label_scores: Optional[dict[str, float]] = None
    ) -> dict[str, list]:
        """``{"labels": [{"ui", "name"(, "score")}], "invalid": [text]}``.

        Token groups that name no descriptor can only come from unconstrained decoding or
        from a label cut off by ``max_decoding_steps``; they are reported, never dressed up
        as descriptors. With a ``selection`` and the head's ``label_scores``, the labels are
        the selected ones, each with its probability, and invalid texts are not counted.
        """
        labels, invalid = self._parse(tokens)
        if self.selection is None or not label_scores:
            return {"labels": labels, "invalid": invalid}
        mesh = load_mesh(self.mesh_file)
        chosen = self.selection.select([label["ui"] for label in labels], label_scores)
        selected = []
        for ui in chosen:
            descriptor = mesh.get_by_ui(ui)
            if descriptor is not None:
                score = round(float(label_scores.get(ui, 0.0)), 4)
                selected.append({"ui": ui, "name": descriptor.name, "score": score})
        return {"labels": selected, "invalid": []}

    def _parse(self, tokens: list[str]) -> tuple[list[dict[str, str]], list[str]]:
        labels: list[dict[str, str]] = []
        invalid: list[str] = []
        seen: set[str] = set()
        group: list[str] = []
        for token in [*tokens, SEPARATOR]:
            if token != SEPARATOR:
                group.append(token)
                continue
            if group:
                found = self.by_words.get(tuple(group))
                if found is None:
                    invalid.append(" ".join(group))
                elif found[0] not in seen:
                    seen.add(found[0])
                    labels.append({"ui": found[0], "name": found[1]})
            group = []
        return labels, invalid

    def metric_prediction(self, answer: dict[str, list]) -> set[str]:
        # invalid label texts count as false positives
        return {label["ui"] for label in answer["labels"]} | {
            f"invalid:{text}" for text in answer["invalid"]
        }
