"""MeSH indexing as question answering: title + abstract in, MeSH headings out.

The answer is the article's descriptors as one sequence, "name ; name ; ...", in a
configurable order (``frequency``: most frequent in the training file first, as in SGM;
``tree``: MeSH tree-number order; ``given``: as the source lists them; ``candidates``:
in the order the question lists them, then the rest by frequency).

With ``candidates``, a retriever's top-K descriptors are listed in the question (decaNLP's
way of posing a choice), so the question pointer can copy them; training articles get
out-of-fold candidates (see :mod:`tasks.mesh_indexing.candidates`).
"""

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Optional

from allennlp.data import DatasetReader, Instance

from multitask.data.archive_artifacts import archived, artifact_path, publish_file, publish_text
from multitask.data.read_stats import ReadStats
from multitask.qa.example import QACandidate, QAExample
from multitask.qa.instance_builder import QAInstanceBuilder
from multitask.qa.reader import QADatasetReader
from tasks.mesh_indexing.candidates import CandidateSource, Record
from tasks.mesh_indexing.labels import gold_set, resolve_headings
from tasks.mesh_indexing.mesh import LabelResolver, MeshVocabulary
from tasks.pubmed.article import Article, article_text
from tasks.pubmed.corpus import read_articles

logger = logging.getLogger(__name__)

TASK = "mesh_indexing"
DEFAULT_QUESTION = "Which MeSH headings describe this article?"
DEFAULT_MESH_FILE = "data/mesh/descriptors.tsv"
SEPARATOR = ";"
LABEL_ORDERS = ("frequency", "tree", "given", "candidates")
#: where the MeSH table and the fitted retriever travel inside a model archive
MESH_ARTIFACT = "mesh/descriptors.tsv"
FREQUENCIES_ARTIFACT = "mesh/label_frequencies.json"
#: what ``match_features`` adds to each candidate's retriever scores
MATCH_FEATURES = ("prior", "name_in_title", "name_in_abstract", "name_words_in_text")
CANDIDATES_ARTIFACT = "candidates"
#: articles retrieved at once (retrievers are much faster on batches)
RETRIEVAL_CHUNK = 256

_VOCABULARIES: dict[str, MeshVocabulary] = {}


def load_mesh(path: str) -> MeshVocabulary:
    """One vocabulary per file per process: readers and decoders share it."""
    key = str(Path(path).resolve())
    if key not in _VOCABULARIES:
        if not Path(path).exists():
            raise FileNotFoundError(
                f"MeSH vocabulary {path} not found: run `make install` (or "
                "allennlp prepare-corpus) to build it, or set mesh_file in the config"
            )
        _VOCABULARIES[key] = MeshVocabulary.from_file(path)
    return _VOCABULARIES[key]


def mesh_file_for(mesh_file: str, serialization_dir: Optional[str]) -> str:
    """The archived MeSH table when loading an archive, else the configured one (which is
    then copied into the serialization dir, so the archive carries it)."""
    copy = archived(serialization_dir, MESH_ARTIFACT)
    if copy is not None:
        load_mesh(str(copy))  # now: an extracted archive is deleted once loaded
        return str(copy)
    if serialization_dir and Path(mesh_file).exists():
        publish_file(serialization_dir, MESH_ARTIFACT, mesh_file)
    return mesh_file


def _normalised(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()).strip() + " "


@DatasetReader.register(TASK)
class MeshIndexingReader(QADatasetReader):
    """Reads any format of the data layer (MEDLINE XML, BioASQ JSON, MEDLINE text, jsonl).

    # Parameters

    builder : `QAInstanceBuilder`, optional
        Tokenization, truncation limits and fields (shared by every task).
    question : `str`, optional
        The question; candidates, if any, are listed after it.
    label_order : `str`, optional (default = `"frequency"`)
        Order of the answer's headings: `frequency`, `tree`, `given` or `candidates`.
    label_frequency_file : `str`, optional
        The training file, for `frequency` (and the rest of `candidates`) order.
    mesh_file : `str`, optional
        MeSH descriptors (TSV, desc XML or mtrees); copied into the model archive.
    max_labels : `int`, optional
        Cut answers after this many headings (counted; gold keeps every label).
    candidates : `CandidateSource`, optional
        A retriever whose top-K descriptors are listed in the question.
    match_features : `bool`, optional (default = `False`)
        Add to each candidate's retriever scores: its training frequency (leave-one-out
        for training articles), whether its name occurs in the title, in the abstract,
        and the share of its name's words found in the text (MTI's lexical evidence).
    require_abstract : `bool`, optional (default = `True`)
    on_error : `str`, optional (default = `"raise"`)
        `"skip"` counts and skips malformed records instead of stopping.

    Labels are resolved to descriptor UIs through ``mesh_file``; unknown labels stay in the
    gold set (they are real misses) but not in the answer, and are counted in the log.
    """

    prediction_fields = ("pmid", "title", "abstractText")

    def __init__(
        self,
        builder: Optional[QAInstanceBuilder] = None,
        question: str = DEFAULT_QUESTION,
        label_order: str = "frequency",
        label_frequency_file: Optional[str] = None,
        mesh_file: str = DEFAULT_MESH_FILE,
        max_labels: Optional[int] = None,
        candidates: Optional[CandidateSource] = None,
        match_features: bool = False,
        require_abstract: bool = True,
        on_error: str = "raise",
        serialization_dir: Optional[str] = None,
        **kwargs,
    ) -> None:
        super().__init__(builder=builder or QAInstanceBuilder(max_answer_tokens=None), **kwargs)
        if label_order not in LABEL_ORDERS:
            raise ValueError(f"label_order must be one of {LABEL_ORDERS}, got {label_order!r}")
        if label_order == "candidates" and candidates is None:
            raise ValueError("label_order 'candidates' needs a candidates retriever")
        self.question = question
        self.label_order = label_order
        self.label_frequency_file = label_frequency_file
        self.serialization_dir = serialization_dir
        self.mesh_file = mesh_file_for(mesh_file, serialization_dir)
        self.max_labels = max_labels
        self.candidates = candidates
        self.match_features = match_features
        self.require_abstract = require_abstract
        self.on_error = on_error
        self._frequencies: Optional[Counter[str]] = None
        self._prior_scale: Optional[float] = None
        # per descriptor UI: its normalised name and that name's words of 3+ letters (the
        # match features look for them in every article that lists the descriptor)
        self._name_words: dict[str, tuple[str, list[str]]] = {}
        self.truncated_answers = 0
        if archived(serialization_dir, FREQUENCIES_ARTIFACT) is not None:
            self._label_frequencies("")  # now: an extracted archive is deleted once loaded
        if candidates is not None:
            copy = archived(serialization_dir, CANDIDATES_ARTIFACT)
            if copy is not None:  # loading an archive (or --recover): no refitting
                candidates.restore(copy)

    @property
    def mesh(self) -> MeshVocabulary:
        return load_mesh(self.mesh_file)

    # ---- label order ------------------------------------------------------------------------
    def _label_frequencies(self, file_path: str) -> Counter[str]:
        if self._frequencies is None:
            copy = archived(self.serialization_dir, FREQUENCIES_ARTIFACT)
            if copy is not None:  # the frequencies the model was trained with
                self._frequencies = Counter(json.loads(copy.read_text()))
                return self._frequencies
            source = self.label_frequency_file or file_path
            if self.label_frequency_file is None:
                logger.warning(
                    "label_order=frequency without label_frequency_file: counting in %s", source
                )
            counts: Counter[str] = Counter()
            if Path(source).exists():
                stats = ReadStats()
                resolver = LabelResolver(self.mesh)
                for article in read_articles(source, stats=stats, on_error="skip"):
                    counts.update(self._resolve(article, resolver)[0])
                logger.info(
                    "Label frequencies from %s: %d distinct headings\n%s\nlabels: %s",
                    source,
                    len(counts),
                    stats.summary(),
                    resolver.summary(),
                )
            else:
                logger.warning("label frequency file %s not found: ties broken by UI", source)
            self._frequencies = counts
            if counts:
                text = json.dumps(dict(sorted(counts.items())))
                publish_text(self.serialization_dir, FREQUENCIES_ARTIFACT, text)
        return self._frequencies

    def _ordered(
        self, uis: list[str], file_path: str, candidates: Optional[list[str]] = None
    ) -> list[str]:
        if self.label_order == "given":
            return uis
        if self.label_order in ("frequency", "candidates"):
            counts = self._label_frequencies(file_path)
            by_frequency = sorted(uis, key=lambda ui: (-counts[ui], ui))
            if self.label_order == "frequency" or not candidates:
                return by_frequency
            # the pointer moves forward through the question: candidate rank first
            rank = {ui: i for i, ui in enumerate(candidates)}
            listed = sorted((ui for ui in uis if ui in rank), key=rank.__getitem__)
            return listed + [ui for ui in by_frequency if ui not in rank]
        mesh = self.mesh

        def tree_key(ui: str) -> tuple[str, str]:
            descriptor = mesh.get_by_ui(ui)
            trees = sorted(descriptor.tree_numbers) if descriptor else []
            return (trees[0] if trees else "~", ui)  # no tree numbers (Female, Male): last

        return sorted(uis, key=tree_key)

    # ---- records -> examples ----------------------------------------------------------------
    def _resolve(self, article: Article, resolver: Optional[LabelResolver] = None):
        """(descriptor UIs in source order, unknown label texts)."""
        return resolve_headings(article, resolver or LabelResolver(self.mesh))

    def _question_candidates(
        self, found, article: Article, own: frozenset[str] = frozenset(), file_path: str = ""
    ) -> list[QACandidate]:
        """The retrieved descriptors as question options, with their features.

        ``own`` are the article's gold labels when it is a training article: its own
        occurrence is taken out of each label's frequency (leave-one-out), or the prior
        would tell the model which candidates are gold.
        """
        out = []
        counts = self._label_frequencies(file_path) if self.match_features else Counter()
        if self._prior_scale is None and counts:
            self._prior_scale = math.log1p(max(counts.values()))
        scale = self._prior_scale or 1.0
        title, abstract = _normalised(article.title), _normalised(article.abstract)
        mesh = self.mesh  # once: finding the shared vocabulary resolves its path
        for candidate in found:
            descriptor = mesh.get_by_ui(candidate.label)
            if descriptor is None:
                continue
            features = tuple(candidate.features)
            if self.match_features:
                count = counts[candidate.label] - (1 if candidate.label in own else 0)
                name, words = self._normalised_name(candidate.label, descriptor.name)
                found_words = sum(f" {w} " in title or f" {w} " in abstract for w in words)
                features += (
                    math.log1p(max(count, 0)) / scale,
                    float(name in title),
                    float(name in abstract),
                    found_words / len(words) if words else 0.0,
                )
            out.append(QACandidate(candidate.label, descriptor.name, features))
        return out

    def _normalised_name(self, ui: str, name: str) -> tuple[str, list[str]]:
        cached = self._name_words.get(ui)
        if cached is None:
            normalised = _normalised(name)
            words = [w for w in normalised.split() if len(w) > 2]
            cached = self._name_words[ui] = (normalised, words)
        return cached

    def article_to_example(
        self,
        article: Article,
        uis: list[str],
        unknown: list[str],
        candidates: Optional[list[QACandidate]] = None,
    ) -> QAExample:
        context = " ".join(part for part in (article.title, article.abstract) if part)
        gold = set(gold_set(uis, unknown)) if (uis or unknown) else None
        answer = None
        known = list(uis)
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
            candidates=candidates,
            labels=known if gold is not None else None,
        )

    def _articles(self, file_path: str, stats: ReadStats) -> Iterator[Article]:
        return read_articles(
            file_path,
            stats=stats,
            require_abstract=self.require_abstract,
            on_error=self.on_error,
        )

    def _training_records(self) -> Iterator[Record]:
        assert self.candidates is not None
        resolver = LabelResolver(self.mesh)
        stats = ReadStats()
        for article in read_articles(self.candidates.train_file, stats=stats, on_error="skip"):
            uis, _ = self._resolve(article, resolver)
            if uis:
                yield Record(article.pmid, article_text(article), frozenset(uis))

    def _prepare_candidates(self) -> None:
        assert self.candidates is not None
        if self.candidates.restored:  # from a model archive: nothing to fit or publish
            return
        self.candidates.prepare(self._training_records)
        if self.serialization_dir and archived(self.serialization_dir, CANDIDATES_ARTIFACT) is None:
            self.candidates.publish(artifact_path(self.serialization_dir, CANDIDATES_ARTIFACT))

    def examples(self, file_path: str) -> Iterator[QAExample]:
        stats = ReadStats()
        resolver = LabelResolver(self.mesh)
        articles = self._articles(file_path, stats)
        if self.candidates is None:
            for article in articles:
                uis, unknown = self._resolve(article, resolver)
                # every label is kept in gold before ordering truncates the answer
                yield self.article_to_example(article, self._ordered(uis, file_path), unknown)
        else:
            self._prepare_candidates()
            training_file = self.candidates.is_training_file(file_path)
            if training_file:
                self.candidates.prepare_out_of_fold(self._training_records)
            logger.info(
                "%s: candidates from %s",
                file_path,
                "out-of-fold retrievers (the training file)"
                if training_file
                else "the retriever fitted on the training file",
            )
            yield from self._examples_with_candidates(articles, resolver, file_path, training_file)
        logger.info("%s:\n%s", file_path, stats.summary())
        logger.info("%s: labels: %s", file_path, resolver.summary())
        if self.truncated_answers:
            logger.info(
                "%s: %d answers cut to max_labels=%s so far (gold keeps every label)",
                file_path,
                self.truncated_answers,
                self.max_labels,
            )

    def _examples_with_candidates(
        self,
        articles: Iterable[Article],
        resolver: LabelResolver,
        file_path: str,
        training_file: bool,
    ) -> Iterator[QAExample]:
        assert self.candidates is not None
        chunk: list[Article] = []

        def flush() -> Iterator[QAExample]:
            found = self.candidates.candidates(
                [a.pmid for a in chunk], [article_text(a) for a in chunk], training_file
            )
            for article, scored in zip(chunk, found):
                uis, unknown = self._resolve(article, resolver)
                own = frozenset(uis) if training_file else frozenset()
                listed = self._question_candidates(scored, article, own, file_path)
                ordered = self._ordered(uis, file_path, [c.label for c in listed])
                yield self.article_to_example(article, ordered, unknown, listed)
            chunk.clear()

        for article in articles:
            chunk.append(article)
            if len(chunk) >= RETRIEVAL_CHUNK:
                yield from flush()
        if chunk:
            yield from flush()

    def text_to_instance(  # type: ignore[override]
        self,
        pmid: str,
        title: str,
        abstractText: str,  # noqa: N803 - BioASQ's field name
        labels: Optional[Iterable[str]] = None,
    ) -> Instance:
        """A prediction-time instance from BioASQ test-set fields (labels optional)."""
        record = {"pmid": pmid, "title": title, "abstractText": abstractText, "labels": labels}
        return self.texts_to_instances([record])[0]

    def texts_to_instances(self, records: Sequence[dict]) -> list[Instance]:
        """:meth:`text_to_instance` for many records (``pmid``, ``title``, ``abstractText``,
        optional ``labels``), with one retriever call for all of them: the retrievers work
        on a matrix of texts, so one call per batch costs little more than one per text."""
        articles, names = [], []
        for record in records:
            labels = list(record.get("labels") or [])
            names.append(labels)
            articles.append(
                Article(
                    pmid=str(record["pmid"]),
                    title=record.get("title") or "",
                    abstract=record.get("abstractText") or "",
                    mesh_uis=[None] * len(labels),
                    mesh_names=labels,
                )
            )
        found: list = [None] * len(articles)
        if self.candidates is not None and articles:
            self._prepare_candidates()
            found = self.candidates.candidates(
                [a.pmid for a in articles], [article_text(a) for a in articles], False
            )
        return [
            self._prediction_instance(article, labels, retrieved)
            for article, labels, retrieved in zip(articles, names, found)
        ]

    def _prediction_instance(self, article: Article, names: list[str], retrieved) -> Instance:
        uis, unknown = self._resolve(article)
        listed = None
        if retrieved is not None:
            listed = self._question_candidates(
                retrieved, article, file_path=self.label_frequency_file or ""
            )
        if uis and (self.label_order != "frequency" or self.label_frequency_file):
            uis = self._ordered(
                uis, self.label_frequency_file or "", [c.label for c in listed] if listed else None
            )
        example = self.article_to_example(article, uis, unknown, listed)
        if not names:
            example.answer = None
            example.labels = None
        return self.builder.build(example)
