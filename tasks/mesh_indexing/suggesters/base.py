"""The suggester interface: fit on (text, labels), suggest scored labels, save safely.

One interface for one job, "propose scored subjects for a text" (Annif's backend idea):
the baselines, the MQAN reader's candidate retriever, a trained MQAN archive and ensembles
of any of them are all suggesters, so one tuner (:mod:`.tuning`), one comparison and one
cache serve them all, and a new backend is one registered class.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from allennlp.common import Params, Registrable

#: what :meth:`Suggester.save_to` writes beside the state: the constructor arguments
CONFIG_FILE = "suggester.json"


class Suggestion(NamedTuple):
    """One proposed label: its ranking ``score`` and the per-member ``features`` a
    re-ranker may read (an ensemble keeps every member's score). A named tuple: a suggester
    makes a hundred of these per abstract, and a frozen dataclass took 2 µs each."""

    label: str
    score: float
    features: tuple[float, ...] = ()


class Suggester(Registrable):
    """Proposes scored labels for texts, best first.

    Implementations store their state with plain formats (JSON, ``.npy``/``.npz`` read
    with ``allow_pickle=False``, omikuji's own model files), never pickle: a suggester
    travels inside model archives, and unpickling an archive would run its code.
    """

    default_implementation = "tfidf_omikuji"

    #: names of the values in :attr:`Suggestion.features`, in order
    feature_names: tuple[str, ...] = ("score",)

    @property
    def trained(self) -> bool:
        """Whether :meth:`suggest` can run (fitted, loaded, or trained elsewhere)."""
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        """The constructor arguments (with ``type``) that change results: what makes two
        suggesters the same, used as a cache key and to build unfitted copies."""
        raise NotImplementedError

    def fresh(self) -> Suggester:
        """An unfitted suggester with the same settings."""
        return Suggester.from_params(Params(copy.deepcopy(self.config())))

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        raise NotImplementedError

    def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        """At most ``limit`` suggestions for each text, best first."""
        raise NotImplementedError

    def save(self, directory: Path) -> None:
        """Write the fitted state (not the settings: see :meth:`save_to`)."""
        raise NotImplementedError

    def load(self, directory: Path) -> None:
        """Restore the state :meth:`save` wrote (on a suggester built with the same config)."""
        raise NotImplementedError

    # ---- a suggester as one folder: settings + state ----------------------------------------
    def save_to(self, directory: Path) -> None:
        """Settings and state in one folder, which :meth:`load_from` rebuilds alone."""
        directory.mkdir(parents=True, exist_ok=True)
        self.save(directory)
        write_json(directory / CONFIG_FILE, self.config())

    @staticmethod
    def load_from(directory: Path, **overrides: Any) -> Suggester:
        """The suggester :meth:`save_to` wrote; ``overrides`` set speed-only arguments such
        as ``n_threads`` that are not part of the config."""
        config = read_json(directory / CONFIG_FILE)
        suggester = Suggester.from_params(Params({**config, **overrides}))
        suggester.load(directory)
        return suggester


def check_fit_input(texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
    if len(texts) != len(label_sets):
        raise ValueError(f"{len(texts)} texts but {len(label_sets)} label sets")
    if not texts:
        raise ValueError("nothing to fit on: no texts")


def check_limit(limit: int) -> None:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")


def write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())
