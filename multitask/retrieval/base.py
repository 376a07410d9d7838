"""The retriever interface: fit on (text, labels), propose scored candidates, save safely."""

import json
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from allennlp.common import Registrable


class Candidate(NamedTuple):
    """One proposed label: its ranking ``score`` and the per-retriever ``features`` a
    re-ranker may read (an ensemble keeps every member's score). A named tuple: retrieval
    makes a hundred of these per abstract, and a frozen dataclass took 2 µs each."""

    label: str
    score: float
    features: tuple[float, ...] = ()


class CandidateRetriever(Registrable):
    """Proposes the top-K labels of a text.

    Implementations store their state with plain formats (JSON, ``.npy``/``.npz`` read
    with ``allow_pickle=False``, omikuji's own model files), never pickle: a retriever
    travels inside model archives, and unpickling an archive would run its code.
    """

    default_implementation = "tfidf_omikuji"

    #: names of the values in :attr:`Candidate.features`, in order
    feature_names: tuple[str, ...] = ("score",)

    def config(self) -> dict[str, Any]:
        """The constructor arguments (with ``type``): what makes two retrievers the same,
        used as a cache key and to build unfitted copies for out-of-fold training."""
        raise NotImplementedError

    def fresh(self) -> "CandidateRetriever":
        """An unfitted retriever with the same settings."""
        config = dict(self.config())
        config.pop("type")
        return type(self)(**config)

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        raise NotImplementedError

    def retrieve(self, texts: Sequence[str], top_k: int) -> list[list[Candidate]]:
        """The ``top_k`` best candidates of each text, best first."""
        raise NotImplementedError

    def save(self, directory: Path) -> None:
        raise NotImplementedError

    def load(self, directory: Path) -> None:
        """Restore the state :meth:`save` wrote (on a retriever built with the same config)."""
        raise NotImplementedError


def write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())
