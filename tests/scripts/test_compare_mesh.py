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
    seed_table,
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
        Row("frequency@6", Scores(0.2, 0.3, 0.2, 0.2, 0.0), 0.3, 0.0, 2.8e8),
    ]
    table = markdown_table(rows).splitlines()
    assert table[0].startswith("| system | MiF |")
    assert "| 1.100 |" in table[3] and table[3].endswith("| 3,000 | 20 |")
    assert table[4].endswith("| > 1,000,000 |")


def row(name, mif, maf, hif, seconds=100.0):
    return Row(name, Scores(mif, mif, mif, mif, maf), hif, seconds, 10.0)


def test_seed_table_gives_mean_spread_and_difference_from_the_reference():
    rows = [
        row("tfidf_omikuji", 0.48, 0.13, 0.58),
        row("main_s1", 0.50, 0.20, 0.60, 100.0),
        row("main_s2", 0.52, 0.22, 0.62, 200.0),
        row("qanet_s1", 0.45, 0.25, 0.55),
        row("qanet_s2", 0.47, 0.21, 0.57),
    ]
    lines = seed_table(rows, reference="main").splitlines()
    assert lines[0].count("|") - 1 == len(lines[1].split("|")) - 2 == 12
    assert len(lines) == 4  # header, rule, main, qanet: the baseline has no seeds
    assert lines[2] == (
        "| main | 2 | 0.5100 | 0.0200 | 0.2100 | 0.0200 | 0.6100 | 0.0200 | 150 "
        "| +0.0000 | +0.0000 | +0.0000 |"
    )
    assert lines[3].startswith("| qanet | 2 | 0.4600 | 0.0200 | 0.2300 | 0.0400 | 0.5600 |")
    assert lines[3].endswith("| -0.0500 | +0.0200 | -0.0500 |")
    # no reference among the systems: no difference columns
    assert seed_table(rows, reference="none").splitlines()[0].endswith("| train s |")
    # one seed per system: nothing to summarise
    assert seed_table(rows[:2] + rows[3:4]) is None


def test_cli_scores_baselines_and_an_archive(tiny_archive, tmp_path):
    data = str(MQAN_FIXTURES / "mesh_articles.json")
    result = subprocess.run(
        [
            sys.executable,
            "scripts/compare_mesh.py",
            f"tiny={tiny_archive}",
            f"tiny_s1={tiny_archive}",
            f"tiny_s2={tiny_archive}",
            "--reference",
            "tiny",
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
    assert names[-3:] == ["tiny", "tiny_s1", "tiny_s2"]
    assert any(n.startswith("frequency@") for n in names)
    for row in report["rows"]:
        assert 0.0 <= row["mif"] <= 1.0 and 0.0 <= row["hif"] <= 1.0
    assert report["rows"][-1]["train_seconds"] > 0
    assert (tmp_path / "out" / "comparison.png").read_bytes()[:4] == b"\x89PNG"
    written = (tmp_path / "out" / "comparison.md").read_text()
    assert "| tiny |" in written
    # the same archive as two seeds of "tiny" (the reference): no spread, no difference
    seeds = next(line for line in written.splitlines() if line.startswith("| tiny | 2 |"))
    assert seeds.count("| 0.0000 |") == 3 and seeds.endswith("| +0.0000 | +0.0000 | +0.0000 |")
    assert "| MiF - tiny |" in written


def test_cli_names_a_missing_archive(tmp_path):
    result = subprocess.run(
        [sys.executable, "scripts/compare_mesh.py", str(tmp_path / "none.tar.gz")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2 and "none.tar.gz" in result.stderr
