"""A trained MQAN archive behind the suggester interface, so that the comparison, the tuner
and ensembles treat the main job's model like any other backend."""

import logging
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, Optional

from tasks.mesh_indexing.suggesters.base import Suggester, Suggestion, check_limit, write_json

logger = logging.getLogger(__name__)


@Suggester.register("mqan_archive")
class MqanArchiveSuggester(Suggester):
    """The labels a `model.tar.gz` from `allennlp train` gives (the `mesh_indexer`
    predictor), each with the label head's probability, best first.

    A text is the title, a newline, then the abstract (what
    :func:`tasks.pubmed.article.article_text` makes). The archive's own label selection,
    tuned on validation while training, decides which labels come back; ``limit`` only cuts
    the list. It is trained by `allennlp train`, so :meth:`fit` does nothing.

    # Parameters

    archive : `str`
        Path of the model archive.
    batch_size : `int`, optional (default = `32`)
        Abstracts per predictor call.
    cuda_device : `int`, optional (default = `-1`)
    overrides : `dict`, optional
        Config overrides applied when the archive is loaded (as `allennlp predict -o`).
    """

    def __init__(
        self,
        archive: str,
        batch_size: int = 32,
        cuda_device: int = -1,
        overrides: Optional[dict[str, Any]] = None,
    ) -> None:
        # absolute: a suggester saved with `optimize --save` is used from other folders
        self.archive = str(Path(archive).resolve())
        self.batch_size = batch_size
        self.cuda_device = cuda_device
        self.overrides = dict(overrides or {})
        self._predictor: Any = None

    @property
    def trained(self) -> bool:
        return Path(self.archive).exists()

    def config(self) -> dict[str, Any]:
        return {"type": "mqan_archive", "archive": self.archive, "overrides": self.overrides}

    @property
    def predictor(self) -> Any:
        """The archive's `mesh_indexer` predictor, loaded on first use (it takes seconds)."""
        if self._predictor is None:
            from allennlp.predictors import Predictor

            import multitask  # noqa: F401 - registers the components
            import tasks  # noqa: F401

            if not Path(self.archive).exists():
                raise FileNotFoundError(f"model archive {self.archive} not found")
            self._predictor = Predictor.from_path(
                self.archive,
                "mesh_indexer",
                cuda_device=self.cuda_device,
                overrides=self.overrides or "",
            )
        return self._predictor

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        logger.info("%s is trained by `allennlp train`: fit leaves it as it is", self.archive)

    def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        check_limit(limit)
        inputs = []
        for i, text in enumerate(texts):
            title, _, abstract = text.partition("\n")
            inputs.append({"pmid": str(i), "title": title, "abstractText": abstract})
        out: list[list[Suggestion]] = []
        for begin in range(0, len(inputs), self.batch_size):
            for output in self.predictor.predict_batch_json(
                inputs[begin : begin + self.batch_size]
            ):
                labels = output["labels"]
                # without a label head the decoder's labels come in decoding order, unscored
                scored = [
                    Suggestion(label["ui"], float(label.get("score", 1.0 - rank / 1000)))
                    for rank, label in enumerate(labels)
                ]
                scored.sort(key=lambda s: -s.score)
                out.append(scored[:limit])
        return out

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        write_json(directory / "archive.json", {"archive": str(Path(self.archive).resolve())})

    def load(self, directory: Path) -> None:
        """Nothing to restore: the archive named in the config is the state."""
