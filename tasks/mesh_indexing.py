"""MeSH indexing as question answering: title + abstract in, MeSH headings out.

The answer is the article's descriptors as one sequence, "name ; name ; ...", in a
configurable order (``frequency``: most frequent in the training file first, as in SGM;
``tree``: MeSH tree-number order; ``given``: as the source lists them).
"""

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Optional

from allennlp.data import DatasetReader, Instance, Vocabulary
from allennlp.data.tokenizers import Tokenizer
from allennlp.nn.beam_search import Constraint

from multitask.data.article import Article
from multitask.data.corpus import ReadStats, read_articles
from multitask.data.tokenizers import QAWordTokenizer
from multitask.decoding.label_trie import LabelSequenceConstraint, LabelTrie
from multitask.decoding.task_decoding import TaskDecoding
from multitask.mesh import LabelResolver, MeshVocabulary
from multitask.qa.example import QAExample
from multitask.qa.instance_builder import END_SYMBOL, QAInstanceBuilder
from multitask.qa.reader import QADatasetReader

logger = logging.getLogger(__name__)

TASK = "mesh_indexing"
DEFAULT_QUESTION = "Which MeSH headings describe this article?"
DEFAULT_MESH_FILE = "data/mesh/descriptors.tsv"
SEPARATOR = ";"
LABEL_ORDERS = ("frequency", "tree", "given")

_VOCABULARIES: dict[str, MeshVocabulary] = {}


def load_mesh(path: str) -> MeshVocabulary:
    """One vocabulary per file per process: readers and decoders share it."""
    key = str(Path(path).resolve())
    if key not in _VOCABULARIES:
        if not Path(path).exists():
            raise FileNotFoundError(
                f"MeSH vocabulary {path} not found: run `make install` (or "
                "scripts/prepare_corpus.py) to build it, or set mesh_file in the config"
            )
        _VOCABULARIES[key] = MeshVocabulary.from_file(path)
    return _VOCABULARIES[key]


@DatasetReader.register(TASK)
class MeshIndexingReader(QADatasetReader):
    """Reads any format of the data layer (MEDLINE XML, BioASQ JSON, MEDLINE text, jsonl).

    Labels are resolved to descriptor UIs through ``mesh_file``; unknown labels stay in the
    gold set (they are real misses) but not in the answer, and are counted in the log.
    ``max_labels`` truncates long answers at a label boundary, counted, never silently.
    """

    def __init__(
        self,
        builder: Optional[QAInstanceBuilder] = None,
        question: str = DEFAULT_QUESTION,
        label_order: str = "frequency",
        label_frequency_file: Optional[str] = None,
        mesh_file: str = DEFAULT_MESH_FILE,
        max_labels: Optional[int] = None,
        require_abstract: bool = True,
        on_error: str = "raise",
        **kwargs,
    ) -> None:
        super().__init__(builder=builder or QAInstanceBuilder(max_answer_tokens=None), **kwargs)
        if label_order not in LABEL_ORDERS:
            raise ValueError(f"label_order must be one of {LABEL_ORDERS}, got {label_order!r}")
        self.question = question
        self.label_order = label_order
        self.label_frequency_file = label_frequency_file
        self.mesh_file = mesh_file
        self.max_labels = max_labels
        self.require_abstract = require_abstract
        self.on_error = on_error
        self._frequencies: Optional[Counter[str]] = None
        self.truncated_answers = 0

    @property
    def mesh(self) -> MeshVocabulary:
        return load_mesh(self.mesh_file)

    # ---- label order ------------------------------------------------------------------------
    def _label_frequencies(self, file_path: str) -> Counter[str]:
        if self._frequencies is None:
            source = self.label_frequency_file or file_path
            if self.label_frequency_file is None:
                logger.warning(
                    "label_order=frequency without label_frequency_file: counting in %s", source
                )
            counts: Counter[str] = Counter()
            stats = ReadStats()
            resolver = LabelResolver(self.mesh)
            for article in read_articles(source, stats=stats, on_error="skip"):
                counts.update(self._resolve(article, resolver)[0])
            self._frequencies = counts
            logger.info(
                "Label frequencies from %s: %d distinct headings\n%s\nlabels: %s",
                source,
                len(counts),
                stats.summary(),
                resolver.summary(),
            )
        return self._frequencies

    def _ordered(self, uis: list[str], file_path: str) -> list[str]:
        if self.label_order == "given":
            return uis
        if self.label_order == "frequency":
            counts = self._label_frequencies(file_path)
            return sorted(uis, key=lambda ui: (-counts[ui], ui))
        mesh = self.mesh

        def tree_key(ui: str) -> tuple[str, str]:
            descriptor = mesh.get_by_ui(ui)
            trees = sorted(descriptor.tree_numbers) if descriptor else []
            return (trees[0] if trees else "~", ui)  # no tree numbers (Female, Male): last

        return sorted(uis, key=tree_key)

    # ---- records -> examples ----------------------------------------------------------------
    def _resolve(self, article: Article, resolver: Optional[LabelResolver] = None):
        """(descriptor UIs in source order, unknown label texts)."""
        resolver = resolver or LabelResolver(self.mesh)
        uis: list[str] = []
        unknown: list[str] = []
        for ui, name in zip(article.mesh_uis, article.mesh_names):
            descriptor = resolver.resolve_one((ui, name))
            if descriptor is None or descriptor.ui is None:
                unknown.append(ui or name)
            elif descriptor.ui not in uis:
                uis.append(descriptor.ui)
        return uis, unknown

    def article_to_example(self, article: Article, uis: list[str], unknown: list[str]) -> QAExample:
        context = " ".join(part for part in (article.title, article.abstract) if part)
        gold = set(uis) | {f"unknown:{label}" for label in unknown} if (uis or unknown) else None
        answer = None
        if uis:
            if self.max_labels is not None and len(uis) > self.max_labels:
                self.truncated_answers += 1
                uis = uis[: self.max_labels]
            answer = f" {SEPARATOR} ".join(self.mesh.name_for(ui) for ui in uis)
        return QAExample(
            task=TASK,
            question=self.question,
            context=context,
            answer=answer,
            gold=gold,
            metadata={"pmid": article.pmid},
        )

    def examples(self, file_path: str) -> Iterator[QAExample]:
        stats = ReadStats()
        resolver = LabelResolver(self.mesh)
        for article in read_articles(
            file_path,
            stats=stats,
            require_abstract=self.require_abstract,
            on_error=self.on_error,
        ):
            uis, unknown = self._resolve(article, resolver)
            # every label of the article is kept in gold before ordering truncates the answer
            yield self.article_to_example(article, self._ordered(uis, file_path), unknown)
        logger.info("%s:\n%s", file_path, stats.summary())
        logger.info("%s: labels: %s", file_path, resolver.summary())
        if self.truncated_answers:
            logger.info(
                "%s: %d answers cut to max_labels=%s so far (gold keeps every label)",
                file_path,
                self.truncated_answers,
                self.max_labels,
            )

    def text_to_instance(  # type: ignore[override]
        self,
        pmid: str,
        title: str,
        abstractText: str,  # noqa: N803 - BioASQ's field name
        labels: Optional[Iterable[str]] = None,
    ) -> Instance:
        """A prediction-time instance from BioASQ test-set fields (labels optional)."""
        names = list(labels or [])
        article = Article(
            pmid=str(pmid),
            title=title or "",
            abstract=abstractText or "",
            mesh_uis=[None] * len(names),
            mesh_names=names,
        )
        uis, unknown = self._resolve(article)
        if uis and (self.label_order != "frequency" or self.label_frequency_file):
            uis = self._ordered(uis, self.label_frequency_file or "")
        example = self.article_to_example(article, uis, unknown)
        if not names:
            example.answer = None
        return self.builder.build(example)


@TaskDecoding.register("mesh_labels")
class MeshLabelDecoding(TaskDecoding):
    """Valid descriptors by construction: decoding walks a trie of tokenized heading names.

    Only headings whose every word is in the model's target vocabulary are reachable; the
    count is logged when the trie is built. Answers map back to ``{"ui", "name"}``.
    ``max_labels`` caps the labels per article (tune it with scripts/tune_mesh_decoding.py).
    """

    def __init__(
        self,
        mesh_file: str = DEFAULT_MESH_FILE,
        tokenizer: Optional[Tokenizer] = None,
        constrained: bool = True,
        max_labels: Optional[int] = None,
    ) -> None:
        self.mesh_file = mesh_file
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

    def postprocess(self, tokens: list[str]) -> dict[str, list]:
        """``{"labels": [{"ui", "name"}], "invalid": [text]}``.

        Token groups that name no descriptor can only come from unconstrained decoding or
        from a label cut off by ``max_decoding_steps``; they are reported, never dressed up
        as descriptors.
        """
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
        return {"labels": labels, "invalid": invalid}

    def metric_prediction(self, answer: dict[str, list]) -> set[str]:
        # invalid label texts count as false positives
        return {label["ui"] for label in answer["labels"]} | {
            f"invalid:{text}" for text in answer["invalid"]
        }
