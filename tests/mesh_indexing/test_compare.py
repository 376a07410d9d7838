"""`allennlp compare` and `allennlp optimize`: suggesters and archives side by side, one
metric implementation, one tuner."""

import json
import subprocess
import sys

import pytest
from paths import MESH_MINI, MQAN_FIXTURES, PROJECT_ROOT

from tasks.mesh_indexing.comparison import (
    Row,
    Scores,
    hierarchical_f1,
    markdown_table,
    parse_duration,
    score,
    seed_table,
)
from tasks.mesh_indexing.labels import gold_labels
from tasks.mesh_indexing.mesh import MeshVocabulary
from tasks.pubmed.article import Article, article_text


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
    assert article_text(by_ui) == "t\na"


def test_score_uses_the_project_metrics():
    from multitask.metrics import example_based_f1, macro_f1, micro_prf

    gold = [{"a", "b"}, {"c"}, {"a"}]
    pred = [{"a"}, {"c", "d"}, set()]
    scores = score(gold, pred)
    assert (scores.mip, scores.mir, scores.mif) == micro_prf(gold, pred)
    assert scores.ebf == example_based_f1(gold, pred)
    assert scores.maf == macro_f1(gold, pred)


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


def allennlp(*args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "allennlp", *map(str, args)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_compare_scores_suggesters_and_archives(tiny_archive, tmp_path):
    data = MQAN_FIXTURES / "mesh_articles.json"
    ensemble = '{"type": "ensemble", "members": {"f": {"type": "frequency"}}}'
    result = allennlp(
        "compare",
        f"tiny={tiny_archive}",
        f"tiny_s1={tiny_archive}",
        f"tiny_s2={tiny_archive}",
        f"mix={ensemble}",
        *("--reference", "tiny", "--train", data, "--validation", data, "--eval", data),
        *("--mesh-file", MESH_MINI, "--baselines", "frequency"),
        *("--output-dir", tmp_path / "out", "--no-progress"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "out" / "comparison.json").read_text())
    names = [row["name"] for row in report["rows"]]
    assert names == ["frequency", "tiny", "tiny_s1", "tiny_s2", "mix"]
    for row in report["rows"]:
        assert 0.0 <= row["mif"] <= 1.0 and 0.0 <= row["hif"] <= 1.0
    by_name = {row["name"]: row for row in report["rows"]}
    # the same suggester alone and as the only member of an ensemble: the same labels
    assert by_name["mix"]["mif"] == by_name["frequency"]["mif"]
    assert set(by_name["frequency"]["params"]["selection"]) >= {"limit", "threshold", "mif"}
    assert by_name["tiny"]["train_seconds"] > 0
    assert (tmp_path / "out" / "comparison.png").read_bytes()[:4] == b"\x89PNG"
    written = (tmp_path / "out" / "comparison.md").read_text()
    assert "| tiny |" in written
    # the same archive as two seeds of "tiny" (the reference): no spread, no difference
    seeds = next(line for line in written.splitlines() if line.startswith("| tiny | 2 |"))
    assert seeds.count("| 0.0000 |") == 3 and seeds.endswith("| +0.0000 | +0.0000 | +0.0000 |")
    assert "| MiF - tiny |" in written


def test_compare_names_what_is_missing_or_unknown_in_one_line(tmp_path):
    result = allennlp("compare", tmp_path / "none.tar.gz", timeout=300)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("error: model archive")
    assert "none.tar.gz" in result.stderr and "Traceback" not in result.stderr
    result = allennlp("compare", "--baselines", "no_such_suggester", timeout=300)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "no_such_suggester" in result.stderr and "tfidf_omikuji" in result.stderr


def test_optimize_tunes_and_saves_a_suggester_that_compare_takes(tmp_path):
    data = MQAN_FIXTURES / "mesh_articles.json"
    saved = tmp_path / "frequency"
    result = allennlp(
        "optimize",
        "frequency",
        *("--train", data, "--validation", data, "--mesh-file", MESH_MINI),
        *("--limits", 1, 2, 3, "--save", saved, "--no-progress"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    table = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert table[0] == "| limit | threshold | MiP | MiR | MiF |" and len(table) == 1 + 3
    assert sum("**best**" in line for line in table) == 1
    selection = json.loads((saved / "selection.json").read_text())
    assert selection["limit"] in (1, 2, 3)
    result = allennlp(
        "compare",
        f"saved={saved}",
        *("--train", data, "--validation", data, "--eval", data, "--mesh-file", MESH_MINI),
        *("--baselines", "--output-dir", tmp_path / "out", "--no-progress"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| saved |" in (tmp_path / "out" / "comparison.md").read_text()
