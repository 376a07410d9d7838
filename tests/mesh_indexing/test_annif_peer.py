"""The Annif peer: the files it writes for Annif, how it reads Annif's answers and its errors
(no Annif needed), then one fit and suggest through Annif's own venv when runs/annif/venv
exists (`make test` never installs Annif; see tasks/mesh_indexing/suggesters/annif_peer.py)."""

import json
import stat
from pathlib import Path

import pytest
from paths import MESH_MINI, PROJECT_ROOT

from tasks.mesh_indexing.mesh import MeshVocabulary
from tasks.mesh_indexing.suggesters import annif_peer
from tasks.mesh_indexing.suggesters.annif_peer import (
    MESH_URI,
    AnnifSuggester,
    held_out,
    label_uri,
    parse_hyperopt,
    parse_suggestions,
    projects_cfg,
    uri_label,
    write_corpus,
    write_vocabulary,
)
from tasks.mesh_indexing.suggesters.base import Suggester

ANNIF_VENV = PROJECT_ROOT / "runs" / "annif" / "venv"
# breast cancer in women; smoking-related disorders in men; adenocarcinoma
TEXTS = [
    "breast cancer in women after menopause",
    "breast tumour screening with mammography in women",
    "smoking and substance use disorders in men",
    "alcohol and tobacco dependence among men",
    "adenocarcinoma of glandular epithelium: a carcinoma",
    "glandular adenocarcinoma and other carcinoma types",
] * 4
LABELS = [
    {"D001943", "D005260"},
    {"D001943", "D001940", "D005260"},
    {"D019966", "D008297"},
    {"D019966", "D008297"},
    {"D000230", "D002277"},
    {"D000230", "D009375"},
] * 4
HYPEROPT_OUTPUT = """Looking for optimal hyperparameters using 10 trials
Got best NDCG score 0.6123 with:
---
sources=omikuji_parabel:0.4120,mllm:0.1880,fasttext:0.4000
---
"""


def trained_stub(tmp_path: Path, **kwargs) -> AnnifSuggester:
    """A suggester 'loaded' from a project folder that only has a projects.cfg."""
    saved = tmp_path / "saved"
    (saved / "annif").mkdir(parents=True)
    (saved / "annif" / "projects.cfg").write_text("[omikuji_parabel]\n")
    (saved / "annif_state.json").write_text(json.dumps({"weights": {}, "timings": {}}))
    suggester = AnnifSuggester(backends=["omikuji_parabel"], **kwargs)
    suggester.load(saved)
    return suggester


def test_labels_travel_as_mesh_uris_and_come_back():
    assert label_uri("D005260") == "http://id.nlm.nih.gov/mesh/D005260"
    for label in ("D005260", "Neoplasms, Glandular and Epithelial", "a/b c%"):
        uri = label_uri(label)
        assert " " not in uri and ">" not in uri
        assert uri_label(uri) == label
    with pytest.raises(ValueError, match="not one of our URIs"):
        uri_label("http://www.yso.fi/onto/yso/p1")


def test_vocabulary_names_the_seen_labels_or_every_descriptor_for_mllm(tmp_path):
    mesh = MeshVocabulary.from_file(MESH_MINI)
    path = tmp_path / "vocab.tsv"
    assert write_vocabulary(path, ["D005260", "D001943", "Unknown Heading"], mesh, False) == 3
    assert path.read_text().splitlines() == [
        f"<{MESH_URI}D001943>\tBreast Neoplasms",
        f"<{MESH_URI}D005260>\tFemale",
        f"<{MESH_URI}Unknown%20Heading>\tUnknown Heading",
    ]
    assert write_vocabulary(path, ["D005260", "Unknown Heading"], mesh, True) == len(mesh) + 1
    lines = path.read_text().splitlines()
    assert f"<{MESH_URI}D044465>\tWhite People" in lines
    assert write_vocabulary(path, ["D005260"], None, True) == 1  # no MeSH table: label as name


def test_corpus_is_one_document_per_line_with_its_uris(tmp_path):
    path = tmp_path / "train.tsv"
    written = write_corpus(
        path,
        ["A title.\n\tAn  abstract.", "   ", "No labels"],
        [
            {"D005260", "D001943"},
            {"D008297"},
            set(),
        ],
    )
    assert written == 2  # a text of whitespace only is left out
    assert path.read_text().splitlines() == [
        f"A title. An abstract.\t<{MESH_URI}D001943> <{MESH_URI}D005260>",
        "No labels\t",
    ]


def test_projects_cfg_has_the_backends_and_their_weighted_ensemble():
    cfg = projects_cfg(
        ["omikuji_parabel", "omikuji_bonsai", "mllm", "fasttext"],
        "snowball(english)",
        {"fasttext": {"epoch": 5}},
        {"omikuji_parabel": 0.4, "omikuji_bonsai": 0.1, "mllm": 0.2, "fasttext": 0.3},
    )
    sections = {}
    for block in cfg.strip().split("\n\n"):
        head, *lines = block.splitlines()
        sections[head.strip("[]")] = dict(line.split("=", 1) for line in lines)
    assert list(sections) == ["omikuji_parabel", "omikuji_bonsai", "mllm", "fasttext", "ensemble"]
    for section in sections.values():
        assert section["vocab"] == "mesh" and section["language"] == "en"
        assert section["analyzer"] == "snowball(english)"
    bonsai = sections["omikuji_bonsai"]
    assert (bonsai["cluster_balanced"], bonsai["cluster_k"], bonsai["max_depth"]) == (
        "False",
        "100",
        "3",
    )
    assert bonsai["ngram"] == "2" and "cluster_k" not in sections["omikuji_parabel"]
    assert sections["fasttext"]["epoch"] == "5" and sections["fasttext"]["loss"] == "hs"
    assert sections["ensemble"]["backend"] == "ensemble"
    assert sections["ensemble"]["sources"] == (
        "omikuji_parabel:0.4000,omikuji_bonsai:0.1000,mllm:0.2000,fasttext:0.3000"
    )
    single = projects_cfg(["mllm"], "simple", {})
    assert "[ensemble]" not in single and "backend=mllm" in single


def test_write_project_holds_out_texts_for_hyperopt_only_in_an_ensemble(tmp_path):
    ensemble = AnnifSuggester(backends=["omikuji_parabel", "mllm"], mesh_file=str(MESH_MINI))
    counts = ensemble.write_project(tmp_path / "e", TEXTS, LABELS)
    assert counts == {"subjects": 21, "train": 22, "holdout": 2}  # all of MeSH for MLLM
    punkt = tmp_path / "e" / "nltk_data" / "tokenizers" / "punkt_tab" / "english"
    assert sorted(p.name for p in punkt.iterdir()) == sorted(annif_peer.PUNKT_FILES)
    assert "[ensemble]" in (tmp_path / "e" / "projects.cfg").read_text()
    single = AnnifSuggester(backends=["fasttext"], mesh_file=str(MESH_MINI))
    counts = single.write_project(tmp_path / "s", TEXTS, LABELS)
    assert counts == {"subjects": 8, "train": 24, "holdout": 0}  # the labels seen in training
    assert held_out(10, 0.2, seed=1) == held_out(10, 0.2, seed=1)
    assert len(held_out(10, 0.2, seed=1)) == 2 and len(held_out(2, 0.9, seed=0)) == 1
    assert held_out(1, 0.5, seed=0) == set() and held_out(10, 0.0, seed=0) == set()


def test_hyperopt_weights_and_suggestions_are_parsed():
    assert parse_hyperopt(HYPEROPT_OUTPUT) == {
        "omikuji_parabel": 0.412,
        "mllm": 0.188,
        "fasttext": 0.4,
    }
    with pytest.raises(RuntimeError, match="no sources= line"):
        parse_hyperopt("Got best NDCG score 0.1 with:\n---\n---\n")
    rows = [
        [[f"{MESH_URI}D008297", 0.2], [f"{MESH_URI}D005260", 0.7], [f"{MESH_URI}D001943", 0.2]],
        [],
    ]
    found = parse_suggestions(rows, limit=2)
    assert [[(s.label, s.score) for s in row] for row in found] == [
        [("D005260", 0.7), ("D001943", 0.2)],  # best first, ties by label
        [],
    ]
    assert found[0][0].features == (0.7,)


def test_settings_are_checked_registered_and_copied():
    assert "annif_ensemble" in Suggester.list_available()
    with pytest.raises(ValueError, match="backends must be"):
        AnnifSuggester(backends=["omikuji", "mllm"])
    with pytest.raises(ValueError, match="backends must be"):
        AnnifSuggester(backends=["mllm", "mllm"])
    with pytest.raises(ValueError, match="not chosen"):
        AnnifSuggester(backends=["mllm"], backend_params={"fasttext": {"epoch": 1}})
    with pytest.raises(ValueError, match="holdout"):
        AnnifSuggester(holdout=1.0)
    suggester = AnnifSuggester(backends=["omikuji_bonsai"], venv="elsewhere", trials=3)
    assert suggester.requirement() == "annif[omikuji]==1.4.3"
    assert AnnifSuggester().requirement() == "annif[fasttext,omikuji]==1.4.3"
    assert AnnifSuggester(backends=["mllm"]).requirement() == "annif==1.4.3"
    copy = suggester.fresh()
    assert copy.config() == suggester.config() and copy.venv == "elsewhere"
    assert not copy.trained and "venv" not in copy.config()  # where Annif lives: not identity
    assert suggester.project_id == "omikuji_bonsai"
    assert AnnifSuggester().project_id == "ensemble"


def test_suggesting_needs_a_fit_or_load_and_the_venv(tmp_path):
    with pytest.raises(RuntimeError, match="fit or load"):
        AnnifSuggester().suggest(["text"], limit=3)
    suggester = trained_stub(tmp_path, venv=str(tmp_path / "no_venv"))
    with pytest.raises(ValueError, match="limit"):
        suggester.suggest(["text"], limit=0)
    with pytest.raises(RuntimeError, match="virtual environment .*no_venv is missing"):
        suggester.suggest(["text"], limit=3)


def test_annif_failing_shows_the_tail_of_its_stderr(tmp_path):
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        "#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
        "echo 'NotInitializedException: model not found' >&2\nexit 3\n"
    )
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    suggester = trained_stub(tmp_path, venv=str(tmp_path / "venv"))
    with pytest.raises(RuntimeError, match=r"(?s)suggest failed \(exit 3\).*model not found"):
        suggester.suggest(["text"], limit=3)


def test_a_venv_that_cannot_be_created_says_so_in_one_line(tmp_path, monkeypatch):
    def offline(command, **kwargs):
        if "pip" in command:
            return annif_peer.subprocess.CompletedProcess(
                command, 1, "", "WARNING: retrying\nERROR: No matching distribution found\n"
            )
        Path(command[-1], "bin").mkdir(parents=True)
        return annif_peer.subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(annif_peer.subprocess, "run", offline)
    suggester = AnnifSuggester(backends=["mllm"], venv=str(tmp_path / "venv"))
    with pytest.raises(RuntimeError) as error:
        suggester.fit(TEXTS, LABELS)
    message = str(error.value)
    assert "cannot create Annif's venv" in message and "No matching distribution" in message
    assert "\n" not in message


@pytest.mark.skipif(
    not (ANNIF_VENV / "bin" / "annif").exists(),
    reason=f"Annif's venv {ANNIF_VENV} does not exist (python3.11 -m venv there, then pip "
    "install 'annif[omikuji,fasttext]==1.4.3'); make test never installs Annif",
)
def test_fit_suggest_and_round_trip_through_annif(tmp_path):
    suggester = AnnifSuggester(venv=str(ANNIF_VENV), mesh_file=str(MESH_MINI), trials=2)
    suggester.fit(TEXTS, LABELS)
    assert suggester.trained and set(suggester.weights) == set(annif_peer.BACKENDS)
    queries = ["screening for breast cancer in women", "tobacco use disorders in men"]
    found = suggester.suggest(queries, limit=3)
    assert [len(row) for row in found] == [3, 3]
    for row in found:
        assert [s.score for s in row] == sorted((s.score for s in row), reverse=True)
    assert found[0][0].label in {"D001943", "D005260", "D001940"}
    assert found[1][0].label in {"D019966", "D008297"}
    suggester.save_to(tmp_path / "state")
    assert not list((tmp_path / "state").rglob("*train*"))  # training files are not kept
    restored = Suggester.load_from(tmp_path / "state", venv=str(ANNIF_VENV))
    assert restored.config() == suggester.config()
    again = restored.suggest(queries, limit=3)
    assert [[(s.label, round(s.score, 5)) for s in row] for row in again] == [
        [(s.label, round(s.score, 5)) for s in row] for row in found
    ]
