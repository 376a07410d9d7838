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

from allennlp.data import DatasetReader, Instance

from multitask.data.article import Article
from multitask.data.corpus import ReadStats, read_articles
from multitask.mesh import LabelResolver, MeshVocabulary
from multitask.qa.example import QAExample
from multitask.qa.instance_builder import QAInstanceBuilder
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
