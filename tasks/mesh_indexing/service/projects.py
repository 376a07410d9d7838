"""The projects a server answers for (Annif's word): each one suggester from the interface
(a trained MQAN archive, a folder `allennlp optimize --save` wrote, a JSON config) with an
id, a name, language ``en``, its backend and the MeSH vocabulary its labels come from.

A project is checked when the command starts (a missing archive is an error before any
socket opens) and loaded later, in the background (:meth:`Project.load`): an archive's
model takes seconds to load, and the server answers 503 meanwhile, not a hang.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Optional

from multitask.errors import UserInputError
from tasks.mesh_indexing.mesh import MeshVocabulary
from tasks.mesh_indexing.suggesters import MqanArchiveSuggester, Suggester, Suggestion
from tasks.mesh_indexing.suggesters.base import CONFIG_FILE

logger = logging.getLogger(__name__)

LANGUAGE = "en"
VOCAB_ID = "mesh"
MESH_URI = "http://id.nlm.nih.gov/mesh/{}"
#: project ids go into URL paths: letters, digits and ``_.-``, as Annif's ids
PROJECT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: the text a project is warmed up with before it says it is ready (loads lazy models)
WARM_UP_TEXT = "Warm-up\nThe server checks that the model answers before it reports ready."


@dataclass(frozen=True)
class ProjectSpec:
    """What the command line says about one project.

    ``suggester`` is anything :func:`~tasks.mesh_indexing.suggesters.specs.suggester_from_spec`
    takes: a model archive, a saved suggester folder, a registered name or a JSON config.
    """

    project_id: str
    suggester: str
    name: Optional[str] = None

    @classmethod
    def parse(cls, text: str) -> ProjectSpec:
        """``ID=SPEC[,name=NAME]``; a bare SPEC is named as `allennlp compare` names it (an
        archive after its run folder). NAME runs to the end and may hold commas."""
        from tasks.mesh_indexing.suggesters.specs import named_spec

        body, sep, name = text.rpartition(",name=")
        if not sep or not name.strip() or any(c in name for c in '{}"'):
            body, name = text, ""
        project_id, spec = named_spec(body.strip())
        return cls(project_id.strip(), spec.strip(), name.strip() or None).checked()

    @classmethod
    def from_json(cls, record: Any, where: str) -> ProjectSpec:
        if not isinstance(record, dict) or not isinstance(record.get("suggester"), str):
            raise UserInputError(f"{where}: a project is an object with a string 'suggester'")
        name = record.get("name")
        return cls(
            str(record.get("project_id", "")), record["suggester"], name if name else None
        ).checked()

    def checked(self) -> ProjectSpec:
        if not PROJECT_ID.match(self.project_id):
            raise UserInputError(
                f"project id {self.project_id!r}: use 1-64 letters, digits, '_', '.' or '-', "
                "starting with a letter or digit (it goes into URLs)"
            )
        if not self.suggester:
            raise UserInputError(f"project {self.project_id}: no suggester given")
        return self


def read_projects_file(path: Path) -> list[ProjectSpec]:
    """``{"projects": [{"project_id", "suggester", "name"?}, ...]}`` or just the list."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserInputError(f"projects file {path} not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserInputError(f"projects file {path} is not valid JSON: {error}") from None
    records = data.get("projects") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise UserInputError(f'{path}: expected a list of projects or {{"projects": [...]}}')
    return [
        ProjectSpec.from_json(record, f"{path}, project {i + 1}")
        for i, record in enumerate(records)
    ]


def check_unique(specs: Sequence[ProjectSpec]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if spec.project_id in seen:
            raise UserInputError(f"project id {spec.project_id!r} is given twice")
        seen.add(spec.project_id)
    if not specs:
        raise UserInputError("no project to serve: give --project ID=SPEC or --projects-file")


def check_spec(spec: ProjectSpec, mesh_file: Path) -> None:
    """Fail now, before the server starts, for what the user can fix: a missing archive or
    folder, an unknown suggester name, one that is not trained, a missing MeSH table. Cheap:
    nothing is loaded."""
    from tasks.mesh_indexing.suggesters.specs import suggester_from_spec

    text = spec.suggester.strip()
    path = Path(text)
    where = f"project {spec.project_id}"
    if text.endswith((".tar.gz", ".tgz")) or path.is_file():
        if not path.is_file():
            raise UserInputError(f"{where}: model archive {path} not found")
        return  # an archive carries its own MeSH table
    if path.is_dir():
        if not (path / CONFIG_FILE).exists():
            raise UserInputError(f"{where}: {path} has no {CONFIG_FILE}: not a saved suggester")
    else:
        try:
            suggester = suggester_from_spec(text)
        except UserInputError as error:
            raise UserInputError(f"{where}: {error}") from None
        if not suggester.trained:
            raise UserInputError(
                f"{where}: {text} is not trained; fit and save it first (allennlp optimize "
                f"{text} --save DIR) and serve DIR"
            )
    if not mesh_file.exists():
        raise UserInputError(
            f"{where}: MeSH table {mesh_file} not found (the labels and tree numbers come "
            "from it): run `make install`, or give --mesh-file"
        )


class Subjects:
    """Descriptor UI -> Annif's result object (``uri``, ``label``, ``notation``): the label
    is the heading's name, the notation its first tree number (null for the few headings
    without one, such as Female and Male). A UI missing from the table keeps itself as label."""

    def __init__(self, vocabulary: Optional[MeshVocabulary]) -> None:
        self.vocabulary = vocabulary
        self._known: dict[str, tuple[str, str, Optional[str]]] = {}
        self.unknown = 0

    def result(self, ui: str, score: float) -> dict[str, Any]:
        known = self._known.get(ui)
        if known is None:
            descriptor = self.vocabulary.get_by_ui(ui) if self.vocabulary is not None else None
            if descriptor is None:
                self.unknown += 1
                if self.unknown == 1:
                    logger.warning("label %s is not in the MeSH table: served as its UI", ui)
                known = (MESH_URI.format(ui), ui, None)
            else:
                notation = descriptor.tree_numbers[0] if descriptor.tree_numbers else None
                known = (MESH_URI.format(ui), descriptor.name, notation)
            self._known[ui] = known
        uri, label, notation = known
        return {"uri": uri, "label": label, "notation": notation, "score": float(score)}


class Project:
    """One served project: spec, suggester, vocabulary and state (loading, ready, failed)."""

    def __init__(self, spec: ProjectSpec, mesh_file: Path, max_batch_size: int = 32) -> None:
        self.spec = spec
        self.max_batch_size = max_batch_size
        self.project_id = spec.project_id
        self.name = spec.name or spec.project_id
        self.mesh_file = mesh_file
        self.suggester: Optional[Suggester] = None
        self.subjects = Subjects(None)
        self.state = "loading"
        self.error: Optional[str] = None
        self._backend_id = _backend_id(spec.suggester)
        self._modified = _modification_time(spec.suggester)

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    @property
    def is_trained(self) -> Optional[bool]:
        # None until loaded, as Annif says when it cannot tell yet
        return None if self.suggester is None else bool(self.suggester.trained)

    def load(self) -> None:
        """Build the suggester, run it once (lazy models load now, not on the first
        request), and read the MeSH table its labels come from. Blocking: run in a thread."""
        from tasks.mesh_indexing.suggesters.specs import suggester_from_spec

        suggester = suggester_from_spec(self.spec.suggester)
        if isinstance(suggester, MqanArchiveSuggester):
            # a whole server batch in one predictor call, which sorts it by length and cuts it
            # into model batches, as `allennlp predict --batch-size N` does
            suggester.batch_size = max(suggester.batch_size, self.max_batch_size)
        if suggester.trained:
            suggester.suggest([WARM_UP_TEXT], 1)
        self.subjects = Subjects(_vocabulary_of(suggester, self.mesh_file))
        self._backend_id = _registered_name(suggester) or self._backend_id
        self.suggester = suggester

    def suggest(self, texts: list[str], limit: int) -> list[list[Suggestion]]:
        assert self.suggester is not None, "suggest before load"
        return self.suggester.suggest(texts, limit)

    def results(
        self, suggestions: Sequence[Suggestion], limit: int, threshold: float
    ) -> list[dict[str, Any]]:
        """Annif's ``results``: the first ``limit`` scoring at least ``threshold``, best first."""
        return [
            self.subjects.result(s.label, s.score)
            for s in suggestions[:limit]
            if s.score >= threshold
        ]

    def dump(self) -> dict[str, Any]:
        """Annif's project object."""
        vocabulary = self.subjects.vocabulary
        return {
            "project_id": self.project_id,
            "name": self.name,
            "language": LANGUAGE,
            "backend": {"backend_id": self._backend_id},
            "vocab": {
                "vocab_id": VOCAB_ID,
                "languages": [LANGUAGE],
                "size": None if vocabulary is None else len(vocabulary),
                "loaded": vocabulary is not None,
            },
            "vocab_language": LANGUAGE,
            "is_trained": self.is_trained,
            "modification_time": self._modified,
        }


def _vocabulary_of(suggester: Suggester, mesh_file: Path) -> MeshVocabulary:
    """An archive's own MeSH table (the one its reader resolved labels with), else the
    ``--mesh-file`` one; loaded once per file per process."""
    from tasks.mesh_indexing import TASK, load_mesh

    if isinstance(suggester, MqanArchiveSuggester):
        from multitask.predictors.task_reader import task_reader

        reader = task_reader(suggester.predictor._dataset_reader, TASK)
        mesh = getattr(reader, "mesh", None)
        if isinstance(mesh, MeshVocabulary):
            return mesh
    return load_mesh(str(mesh_file))


def _registered_name(suggester: Suggester) -> Optional[str]:
    try:
        return str(suggester.config()["type"])
    except (NotImplementedError, KeyError, TypeError):
        return None


def _backend_id(spec: str) -> str:
    """The backend before loading: what the spec says it is."""
    text = spec.strip()
    path = Path(text)
    if text.endswith((".tar.gz", ".tgz")) or path.is_file():
        return "mqan_archive"
    if path.is_dir():
        try:
            return str(json.loads((path / CONFIG_FILE).read_text())["type"])
        except (OSError, ValueError, KeyError, TypeError):
            return "suggester"
    if text.startswith("{"):
        try:
            return str(json.loads(text)["type"])
        except (ValueError, KeyError, TypeError):
            return "suggester"
    return text


def _modification_time(spec: str) -> Optional[str]:
    """When the model was written: the archive's or the saved folder's time, in UTC."""
    path = Path(spec.strip())
    if path.is_dir():
        path = path / CONFIG_FILE
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    return datetime.fromtimestamp(stamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
