"""scripts/compare_mesh.py: baselines and archives side by side, one metric implementation."""

import json
import subprocess
import sys

import pytest
from paths import MESH_MINI, MQAN_FIXTURES, PROJECT_ROOT

from multitask.baselines.common import Scores
from multitask.data.article import Article
from multitask.mesh import MeshVocabulary
from tasks.mesh_indexing.comparison import (
    Row,
    gold_labels,
    hierarchical_f1,
    markdown_table,
    parse_duration,
)


@pytest.fixture(scope="module")
def mesh():
    return MeshVocabulary.from_file(MESH_MINI)


def test_gold_is_keyed_by_ui_whatever_the_source_gives(mesh):
    by_name = Article("1", "t", "a", mesh_uis=[None, None], mesh_names=["Breast Neoplasms", "X"])
    by_ui = Article("2", "t", "a", mesh_uis=["D044465"], mesh_names=["An Old Name"])
    assert gold_labels([by_name, by_ui], mesh) == [
        frozenset({"D001943", "unknown:X"}),
        frozenset({"D044465"}),
    ]


def test_hierarchical_f1_gives_a_parent_partial_credit(mesh):
    gold = [frozenset({"D001943"})]  # Breast Neoplasms
    exact = hierarchical_f1(gold, [frozenset({"D001943"})], mesh)
    parent = hierarchical_f1(gold, [frozenset({"D009371"})], mesh)  # Neoplasms by Site
    unrelated = hierarchical_f1(gold, [frozenset({"D008297"})], mesh)  # Male: a root
    assert exact == 1.0 and 0.0 < parent < 1.0 and unrelated == 0.0


def test_durations_and_table():
    assert parse_duration("0:35:29.5") == pytest.approx(2129.5)
    assert parse_duration("1 day, 2:00:00") == pytest.approx(93600)
    rows = [
        Row("tfidf_omikuji", Scores(0.5, 0.5, 0.5, 0.5, 0.1), 0.6, 30.0, 100.0),
        Row("mqan", Scores(0.55, 0.6, 0.5, 0.52, 0.2), 0.65, 3000.0, 20.0),
    ]
    table = markdown_table(rows).splitlines()
    assert table[0].startswith("| system | MiF |")
    assert "| 1.100 |" in table[3]


def test_cli_scores_baselines_and_an_archive(tiny_archive, tmp_path):
    data = str(MQAN_FIXTURES / "mesh_articles.json")
    result = subprocess.run(
        [
            sys.executable,
            "scripts/compare_mesh.py",
            f"tiny={tiny_archive}",
            "--train",
            data,
            "--validation",
            data,
            "--eval",
            data,
            "--mesh-file",
            str(MESH_MINI),
            "--baselines",
            "frequency",
            "--output-dir",
            str(tmp_path / "out"),
            "--no-progress",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "out" / "comparison.json").read_text())
    names = [row["name"] for row in report["rows"]]
    assert names[-1] == "tiny" and any(n.startswith("frequency@") for n in names)
    for row in report["rows"]:
        assert 0.0 <= row["mif"] <= 1.0 and 0.0 <= row["hif"] <= 1.0
    assert report["rows"][-1]["train_seconds"] > 0
    assert (tmp_path / "out" / "comparison.png").read_bytes()[:4] == b"\x89PNG"
    assert "| tiny |" in (tmp_path / "out" / "comparison.md").read_text()


def test_cli_names_a_missing_archive(tmp_path):
    result = subprocess.run(
        [sys.executable, "scripts/compare_mesh.py", str(tmp_path / "none.tar.gz")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2 and "none.tar.gz" in result.stderr
