"""Annif as a peer: its omikuji (Parabel- and Bonsai-style), MLLM and fastText backends and
its ensemble, trained and run by Annif's own CLI in Annif's own virtual environment.

Why a second venv: Annif 1.4.3 pins numpy 2, scikit-learn 1.7 and click 8.2, which AllenNLP
2.10.1's stack cannot take, so Annif is never imported here. Every step is a subprocess of the
venv's ``annif`` (``load-vocab``, ``train``, ``hyperopt``) or of its python running a small
driver (``suggest``: one process per call reads all texts and writes all suggestions, since
loading the models costs seconds). Threads are pinned to one (``OMP_NUM_THREADS=1``,
``--jobs 1``): the comparison runs beside other jobs and its timings should not depend on them.

The project folder (a working copy while fitting, copied whole into the suggester's folder by
``save``; no pickle of ours) holds ``projects.cfg``, Annif's ``data/`` (vocabulary and models),
``vocab.tsv`` and ``nltk_data/``. Labels travel as URIs ``http://id.nlm.nih.gov/mesh/<label>``
(the label URL-quoted, so a MeSH UI gives the descriptor's own URI) and come back unquoted.
The vocabulary is the descriptors seen in training; with MLLM, which matches names in the
text, it is every descriptor of the MeSH table (one vocabulary, since Annif's ensemble averages
its sources over one subject index).

Punkt without a download: every Annif analyzer (``simple`` included) looks up NLTK's
``punkt_tab`` at start and tries to download it when missing, and its word tokenizer splits
sentences with Punkt first. No network here, so each project folder carries
``nltk_data/tokenizers/punkt_tab/english/`` with Punkt's four parameter files, empty (an empty
folder is not enough: Punkt opens each file), and the subprocesses get ``NLTK_DATA`` pointing
there. Punkt with no learned parameters still splits after ``.?!`` followed by a space; it only
lacks abbreviations, so "Dr. Smith" becomes two sentences, which changes fastText's chunks at
most and no word token.

Held-out texts: with more than one backend, ``holdout`` of the training texts (seeded) are
kept out of the backends' training and used by ``annif hyperopt`` to choose the ensemble's
weights (Annif's metric, NDCG by default); the project's validation split stays for the limit
and threshold tuner. A single backend trains on every text.
"""

import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote, unquote

from tasks.mesh_indexing.mesh import MeshVocabulary
from tasks.mesh_indexing.suggesters.base import (
    Suggester,
    Suggestion,
    check_fit_input,
    check_limit,
    read_json,
    write_json,
)

logger = logging.getLogger(__name__)

ANNIF_VERSION = "1.4.3"
DEFAULT_VENV = "runs/annif/venv"
DEFAULT_MESH_FILE = "data/mesh/descriptors.tsv"
MESH_URI = "http://id.nlm.nih.gov/mesh/"
VOCAB_ID = "mesh"
LANGUAGE = "en"
ENSEMBLE = "ensemble"
#: the folder inside the suggester's folder that holds the Annif project
PROJECT_FOLDER = "annif"
STATE_FILE = "annif_state.json"
#: Annif's training files and ours: rebuilt by training, not needed to suggest
NOT_SAVED = ("*-train*", "tmp-*", "train.tsv", "holdout.tsv")
PUNKT_FILES = ("collocations.tab", "sent_starters.txt", "abbrev_types.txt", "ortho_context.tab")

#: each backend's section of projects.cfg (Annif's defaults where a value is not given)
BACKENDS: dict[str, dict[str, Any]] = {
    "omikuji_parabel": {"backend": "omikuji"},
    "omikuji_bonsai": {
        "backend": "omikuji",
        "cluster_balanced": False,
        "cluster_k": 100,
        "max_depth": 3,
        "ngram": 2,
    },
    "mllm": {"backend": "mllm"},
    # Annif's tutorial settings for fastText on English text
    "fasttext": {
        "backend": "fasttext",
        "dim": 500,
        "lr": 0.25,
        "epoch": 30,
        "loss": "hs",
        "chunksize": 24,
    },
}
#: the pip extra of annif that each Annif backend needs
EXTRAS = {"omikuji": "omikuji", "fasttext": "fasttext"}

#: run with the Annif venv's python: suggestions for a JSON list of texts, as JSON
DRIVER = """
import json, sys
from annif.corpus import Document
from annif.registry import AnnifRegistry

projects, datadir, project_id, limit, source, target = sys.argv[1:7]
project = AnnifRegistry(projects, datadir, False).get_project(project_id)
with open(source, encoding="utf-8") as f:
    texts = json.load(f)
out = []
for start in range(0, len(texts), 32):
    docs = [Document(text=text) for text in texts[start : start + 32]]
    for result in project.suggest(docs).filter(limit=int(limit)):
        out.append([[project.subjects[s.subject_id].uri, float(s.score)] for s in result])
with open(target, "w", encoding="utf-8") as f:
    json.dump(out, f)
"""


def label_uri(label: str) -> str:
    """The URI a label travels as: a MeSH UI gives the descriptor's own URI."""
    return MESH_URI + quote(label, safe="")


def uri_label(uri: str) -> str:
    if not uri.startswith(MESH_URI):
        raise ValueError(f"Annif suggested {uri!r}, which is not one of our URIs")
    return unquote(uri[len(MESH_URI) :])


def one_line(text: str) -> str:
    """A text as one TSV field: Annif's corpus is one document per line, text before a tab."""
    return " ".join(text.split())


def write_vocabulary(
    path: Path, labels: Iterable[str], mesh: Optional[MeshVocabulary], every_descriptor: bool
) -> int:
    """Annif's TSV vocabulary (``<uri>\\tname``): ``labels`` (named from ``mesh`` where it
    knows them) and, with ``every_descriptor``, every descriptor of ``mesh``. Returns the
    number of subjects."""
    names: dict[str, str] = {}
    if every_descriptor and mesh is not None:
        names.update((d.key, d.name) for d in mesh)
    for label in labels:
        if label not in names:
            known = mesh.get(label) if mesh is not None else None
            names[label] = known.name if known is not None else label
    with open(path, "w", encoding="utf-8") as out:
        for label in sorted(names):
            out.write(f"<{label_uri(label)}>\t{one_line(names[label])}\n")
    return len(names)


def write_corpus(path: Path, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> int:
    """Annif's TSV corpus, ``text\\t<uri> <uri>``; texts left empty by whitespace are left out.
    Returns the number of documents written."""
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for text, labels in zip(texts, label_sets):
            line = one_line(text)
            if not line:
                continue
            uris = " ".join(f"<{label_uri(label)}>" for label in sorted(labels))
            out.write(f"{line}\t{uris}\n")
            written += 1
    return written


def projects_cfg(
    backends: Sequence[str],
    analyzer: str,
    overrides: Mapping[str, Mapping[str, Any]],
    weights: Optional[Mapping[str, float]] = None,
) -> str:
    """Annif's projects.cfg: one section per backend and, for more than one, the ensemble of
    them with ``weights`` (equal when not given)."""
    sections = []
    for name in backends:
        settings = {**BACKENDS[name], **overrides.get(name, {})}
        sections.append((name, settings))
    if len(backends) > 1:
        given = weights or {name: 1.0 for name in backends}
        sources = ",".join(f"{name}:{given[name]:.4f}" for name in backends)
        sections.append((ENSEMBLE, {"backend": "ensemble", "sources": sources}))
    lines = []
    for name, settings in sections:
        lines.append(f"[{name}]")
        lines.append(f"name={name}")
        lines.append(f"language={LANGUAGE}")
        lines.append(f"vocab={VOCAB_ID}")
        lines.append(f"analyzer={analyzer}")
        lines.append("limit=100")
        lines.extend(f"{key}={value}" for key, value in settings.items())
        lines.append("")
    return "\n".join(lines)


def write_punkt_stub(nltk_data: Path) -> None:
    """Punkt's parameter files, empty: see the module docstring."""
    folder = nltk_data / "tokenizers" / "punkt_tab" / "english"
    folder.mkdir(parents=True, exist_ok=True)
    for name in PUNKT_FILES:
        (folder / name).touch()


def parse_hyperopt(output: str) -> dict[str, float]:
    """The weights in ``annif hyperopt``'s recommended ``sources=a:0.3,b:0.7`` line."""
    match = re.search(r"^sources=(\S+)\s*$", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no sources= line in annif hyperopt's output: {tail(output)}")
    weights = {}
    for part in match.group(1).split(","):
        name, _, weight = part.partition(":")
        weights[name] = float(weight) if weight else 1.0
    return weights


def parse_suggestions(
    rows: Sequence[Sequence[Sequence[Any]]], limit: int
) -> list[list[Suggestion]]:
    """The driver's ``[[uri, score], ...]`` per text as suggestions, best first, at most
    ``limit``; ties go to the smaller label so that runs agree."""
    out = []
    for row in rows:
        found = [Suggestion(uri_label(uri), float(score), (float(score),)) for uri, score in row]
        found.sort(key=lambda s: (-s.score, s.label))
        out.append(found[:limit])
    return out


def tail(text: str, lines: int = 15) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return "\n".join(kept) or "(no output)"


def held_out(n: int, share: float, seed: int) -> set[int]:
    """Which of ``n`` training texts hyperopt gets: ``share`` of them, at least one, and at
    least one left to train on."""
    if n < 2 or share <= 0:
        return set()
    count = min(n - 1, max(1, round(n * share)))
    return set(random.Random(seed).sample(range(n), count))


@Suggester.register("annif_ensemble")
class AnnifSuggester(Suggester):
    """Annif's backends and their ensemble as one suggester, run in Annif's own venv.

    # Parameters

    backends : `list[str]`, optional (default = all of `BACKENDS`)
        Which of `omikuji_parabel`, `omikuji_bonsai`, `mllm`, `fasttext`; more than one
        makes an Annif `ensemble` of them, which is what suggests.
    venv : `str`, optional (default = `"runs/annif/venv"`)
        Annif's virtual environment; `fit` creates it (pip install of annif with the extras
        the backends need) when it has no `annif`. Not part of the config: it changes speed
        and where Annif lives, not results.
    mesh_file : `str`, optional (default = `"data/mesh/descriptors.tsv"`)
        Names for the vocabulary; MLLM matches them in the text, so it needs the file.
    analyzer : `str`, optional (default = `"snowball(english)"`)
        Annif's analyzer for every backend.
    holdout : `float`, optional (default = `0.1`)
        Share of the training texts kept for `annif hyperopt` (ensembles only).
    trials : `int`, optional (default = `50`)
        Hyperopt trials for the ensemble's weights.
    metric : `str`, optional (default = `"NDCG"`)
        Annif's metric that hyperopt maximises.
    seed : `int`, optional (default = `0`)
        Chooses the held-out texts.
    backend_params : `dict[str, dict]`, optional
        Overrides of a backend's projects.cfg settings, e.g. `{"fasttext": {"epoch": 10}}`.
    """

    feature_names = ("annif",)

    def __init__(
        self,
        backends: Optional[list[str]] = None,
        venv: str = DEFAULT_VENV,
        mesh_file: str = DEFAULT_MESH_FILE,
        analyzer: str = "snowball(english)",
        holdout: float = 0.1,
        trials: int = 50,
        metric: str = "NDCG",
        seed: int = 0,
        backend_params: Optional[dict[str, dict[str, Any]]] = None,
    ) -> None:
        chosen = list(backends) if backends is not None else list(BACKENDS)
        unknown = [name for name in chosen if name not in BACKENDS]
        if unknown or not chosen or len(set(chosen)) != len(chosen):
            raise ValueError(
                f"backends must be distinct names among {sorted(BACKENDS)}, got {chosen}"
            )
        params = {name: dict(values) for name, values in (backend_params or {}).items()}
        if set(params) - set(chosen):
            raise ValueError(f"backend_params for backends not chosen: {sorted(set(params))}")
        if not 0 <= holdout < 1:
            raise ValueError(f"holdout must be in [0, 1), got {holdout}")
        self.backends = chosen
        self.venv = venv
        self.mesh_file = mesh_file
        self.analyzer = analyzer
        self.holdout = holdout
        self.trials = trials
        self.metric = metric
        self.seed = seed
        self.backend_params = params
        self.weights: dict[str, float] = {}
        self.timings: dict[str, float] = {}
        self._folder: Optional[tempfile.TemporaryDirectory] = None

    # ---- the interface ----------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        return {
            "type": "annif_ensemble",
            "backends": self.backends,
            "mesh_file": self.mesh_file,
            "analyzer": self.analyzer,
            "holdout": self.holdout,
            "trials": self.trials,
            "metric": self.metric,
            "seed": self.seed,
            "backend_params": self.backend_params,
        }

    def fresh(self) -> "AnnifSuggester":
        return AnnifSuggester(
            self.backends,
            self.venv,
            self.mesh_file,
            self.analyzer,
            self.holdout,
            self.trials,
            self.metric,
            self.seed,
            self.backend_params,
        )

    @property
    def trained(self) -> bool:
        return self._folder is not None

    @property
    def project_id(self) -> str:
        """The Annif project that suggests: the ensemble, or the one backend."""
        return ENSEMBLE if len(self.backends) > 1 else self.backends[0]

    @property
    def project_dir(self) -> Path:
        if self._folder is None:
            raise RuntimeError("fit or load the suggester before suggesting")
        return Path(self._folder.name)

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        check_fit_input(texts, label_sets)
        started = time.perf_counter()
        self.ensure_venv()
        folder = tempfile.TemporaryDirectory(prefix="annif_project_")
        project = Path(folder.name)
        timings: dict[str, float] = {}
        self.write_project(project, texts, label_sets)
        clock = time.perf_counter()
        self._annif(project, "load-vocab", VOCAB_ID, "vocab.tsv", "--language", LANGUAGE)
        timings["load-vocab"] = time.perf_counter() - clock
        for name in self.backends:
            clock = time.perf_counter()
            logger.info("annif train %s", name)
            self._annif(project, "train", name, "train.tsv", "--jobs", "1")
            timings[f"train {name}"] = time.perf_counter() - clock
        self.weights = {}
        if len(self.backends) > 1:
            clock = time.perf_counter()
            logger.info("annif hyperopt %s (%d trials)", ENSEMBLE, self.trials)
            output = self._annif(
                project,
                "hyperopt",
                ENSEMBLE,
                "holdout.tsv",
                "--trials",
                str(self.trials),
                "--metric",
                self.metric,
                "--jobs",
                "1",
            )
            self.weights = parse_hyperopt(output)
            cfg = projects_cfg(self.backends, self.analyzer, self.backend_params, self.weights)
            (project / "projects.cfg").write_text(cfg, encoding="utf-8")
            timings["hyperopt"] = time.perf_counter() - clock
            logger.info("ensemble weights %s", self.weights)
        timings["fit"] = time.perf_counter() - started
        self.timings = timings
        self._folder = folder

    def write_project(
        self, project: Path, texts: Sequence[str], label_sets: Sequence[Collection[str]]
    ) -> dict[str, int]:
        """Everything Annif reads to train: punkt stub, vocabulary, corpora, projects.cfg.
        Returns what was written (subjects, training and held-out documents)."""
        write_punkt_stub(project / "nltk_data")
        (project / "data").mkdir(exist_ok=True)
        mesh = self._mesh()
        seen = sorted({label for labels in label_sets for label in labels})
        subjects = write_vocabulary(project / "vocab.tsv", seen, mesh, "mllm" in self.backends)
        hold = held_out(len(texts), self.holdout, self.seed) if len(self.backends) > 1 else set()
        train = [i for i in range(len(texts)) if i not in hold]
        kept = sorted(hold)
        counts = {
            "subjects": subjects,
            "train": write_corpus(
                project / "train.tsv", [texts[i] for i in train], [label_sets[i] for i in train]
            ),
            "holdout": write_corpus(
                project / "holdout.tsv", [texts[i] for i in kept], [label_sets[i] for i in kept]
            ),
        }
        cfg = projects_cfg(self.backends, self.analyzer, self.backend_params)
        (project / "projects.cfg").write_text(cfg, encoding="utf-8")
        return counts

    def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        check_limit(limit)
        project = self.project_dir
        if not texts:
            return []
        python = self._require_venv("python")
        with tempfile.TemporaryDirectory(prefix="annif_suggest_") as tmp:
            driver, source, target = (Path(tmp) / n for n in ("driver.py", "in.json", "out.json"))
            driver.write_text(DRIVER, encoding="utf-8")
            source.write_text(json.dumps([one_line(t) for t in texts]), encoding="utf-8")
            command = [str(python), str(driver), "projects.cfg", "data", self.project_id]
            self._run(project, command + [str(limit), str(source), str(target)], "suggest")
            rows = json.loads(target.read_text(encoding="utf-8"))
        if len(rows) != len(texts):
            raise RuntimeError(f"Annif answered for {len(rows)} of {len(texts)} texts")
        return parse_suggestions(rows, limit)

    def save(self, directory: Path) -> None:
        target = directory / PROJECT_FOLDER
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(self.project_dir, target, ignore=shutil.ignore_patterns(*NOT_SAVED))
        state = {"annif": ANNIF_VERSION, "weights": self.weights, "timings": self.timings}
        write_json(directory / STATE_FILE, state)

    def load(self, directory: Path) -> None:
        source = directory / PROJECT_FOLDER
        if not (source / "projects.cfg").exists():
            raise FileNotFoundError(f"{source} holds no Annif project (projects.cfg)")
        state = read_json(directory / STATE_FILE)
        folder = tempfile.TemporaryDirectory(prefix="annif_project_")
        shutil.copytree(source, folder.name, dirs_exist_ok=True)
        write_punkt_stub(Path(folder.name) / "nltk_data")
        self.weights = state.get("weights", {})
        self.timings = state.get("timings", {})
        self._folder = folder

    # ---- Annif's venv and processes --------------------------------------------------------
    def extras(self) -> list[str]:
        """The annif extras the chosen backends need."""
        backends = {BACKENDS[name]["backend"] for name in self.backends}
        return sorted(EXTRAS[b] for b in backends if b in EXTRAS)

    def requirement(self) -> str:
        extras = self.extras()
        return (
            f"annif[{','.join(extras)}]=={ANNIF_VERSION}" if extras else f"annif=={ANNIF_VERSION}"
        )

    def ensure_venv(self) -> None:
        """Create Annif's venv unless it has ``annif``; one line saying why when it cannot."""
        venv = Path(self.venv)
        if (venv / "bin" / "annif").exists():
            return
        logger.info("creating Annif's venv at %s (%s)", venv, self.requirement())
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", self.requirement()],
        ]
        for step in steps:
            try:
                result = subprocess.run(step, capture_output=True, text=True)
            except OSError as error:
                result = subprocess.CompletedProcess(step, 1, "", str(error))
            if result.returncode != 0:
                last = tail(result.stderr or result.stdout, 1)
                raise RuntimeError(
                    f"cannot create Annif's venv at {venv} ({' '.join(step[-3:])} failed; "
                    f"offline without a package index?): {last}"
                )

    def _require_venv(self, program: str) -> Path:
        path = Path(self.venv) / "bin" / program
        if not path.exists():
            raise RuntimeError(
                f"Annif's virtual environment {self.venv} is missing ({path} not found): "
                f"fit an annif_ensemble once to create it, or pip install "
                f"'{self.requirement()}' into a venv there"
            )
        return path.absolute()

    def _environment(self, project: Path) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            # our venv's paths must not leak into Annif's python
            if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
        }
        env.update(
            OMP_NUM_THREADS="1",
            OPENBLAS_NUM_THREADS="1",
            MKL_NUM_THREADS="1",
            ANNIF_PROJECTS=str(project / "projects.cfg"),
            ANNIF_DATADIR=str(project / "data"),
            NLTK_DATA=str(project / "nltk_data"),
        )
        return env

    def _annif(self, project: Path, *args: str) -> str:
        annif = self._require_venv("annif")
        return self._run(project, [str(annif), *args], f"annif {args[0]}")

    def _run(self, project: Path, command: list[str], what: str) -> str:
        result = subprocess.run(
            command, cwd=project, env=self._environment(project), capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{what} failed (exit {result.returncode}) in {project}:\n"
                f"{tail(result.stderr or result.stdout)}"
            )
        return result.stdout

    def _mesh(self) -> Optional[MeshVocabulary]:
        if Path(self.mesh_file).exists():
            from tasks.mesh_indexing.reader import load_mesh

            return load_mesh(self.mesh_file)
        if "mllm" in self.backends:
            raise FileNotFoundError(
                f"MeSH table {self.mesh_file} not found: MLLM matches descriptor names from it"
            )
        return None
