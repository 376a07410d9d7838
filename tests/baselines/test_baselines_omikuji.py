"""TF-IDF + omikuji on tiny synthetic articles whose words decide their headings, and the
runner and CLI end to end on them."""

import json

import pytest
from paths import load_script
from scipy import sparse

from multitask.baselines import format_table, run_baselines
from multitask.baselines.tfidf_omikuji import select, write_xc_file
from multitask.data.article import Article
from multitask.data.corpus import write_bioasq_json

omikuji = pytest.importorskip("omikuji")

# Each topic word brings its heading; fillers are noise shared by every topic.
TOPICS = {"heart": "D006321", "lung": "D008168", "kidney": "D007668"}
NAMES = {"D006321": "Heart", "D008168": "Lung", "D007668": "Kidney"}
FILLERS = ["patients", "study", "results", "method", "clinical", "observed"]


def _article(i: int, words: list[str]) -> Article:
    uis = [TOPICS[w] for w in words]
    filler = " ".join(FILLERS[(i + j) % len(FILLERS)] for j in range(3))
    text = " ".join(f"{w} {w}" for w in words)
    return Article(
        pmid=str(1000 + i),
        title=f"On the {words[0]}",
        abstract=f"{text} {filler}.",
        mesh_uis=uis,
        mesh_names=[NAMES[u] for u in uis],
    )


def _articles(start: int, n: int) -> list[Article]:
    combos = [["heart"], ["lung"], ["kidney"], ["heart", "lung"], ["lung", "kidney"]]
    return [_article(start + i, combos[i % len(combos)]) for i in range(n)]


def test_omikuji_learns_which_words_bring_which_headings():
    from multitask.baselines import TfidfOmikujiBaseline

    train = _articles(0, 30)
    model = TfidfOmikujiBaseline(n_threads=1).fit(
        [f"{a.title}\n{a.abstract}" for a in train], [set(a.mesh_uis) for a in train]
    )
    assert sorted(model.labels) == sorted(TOPICS.values())
    scored = model.predict_scores(["the heart heart study", "kidney kidney clinical"])
    assert scored[0][0][0] == TOPICS["heart"]
    assert scored[1][0][0] == TOPICS["kidney"]
    assert all(a[1] >= b[1] for ranked in scored for a, b in zip(ranked, ranked[1:]))

    validation = _articles(100, 10)
    gold = [set(a.mesh_uis) for a in validation]
    val_scored = model.predict_scores([f"{a.title}\n{a.abstract}" for a in validation])
    threshold, cap = model.tune(val_scored, gold, thresholds=[0.05, 0.3, 0.5], caps=[1, 3])
    assert (model.threshold, model.cap) == (threshold, cap)
    predicted = model.predict([f"{a.title}\n{a.abstract}" for a in validation])
    hits = sum(len(g & p) for g, p in zip(gold, predicted))
    assert hits >= 0.8 * sum(len(g) for g in gold)


def test_select_thresholds_caps_and_keeps_at_least_one():
    scored = [[("a", 0.9), ("b", 0.6), ("c", 0.2)], [("a", 0.1), ("b", 0.05)], []]
    assert select(scored, 0.5, 10) == [{"a", "b"}, {"a"}, set()]
    assert select(scored, 0.1, 1) == [{"a"}, {"a"}, set()]


def test_xc_file_format(tmp_path):
    features = sparse.csr_matrix([[0.5, 0.0, 0.25], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0, 0, 0]])
    path = tmp_path / "data.txt"
    written = write_xc_file(features, [[1, 0], [2], [], []], 3, str(path))
    assert written == 3  # the row with neither labels nor features is left out
    assert path.read_text().splitlines() == ["3 3 3", "0,1 0:0.5 2:0.25", "2", " 1:1"]


def test_run_baselines_and_cli(tmp_path, capsys):
    train, validation, test = _articles(0, 30), _articles(100, 10), _articles(200, 10)
    results = run_baselines(train, validation, test, n_threads=1)
    names = [r.name for r in results]
    assert names[0] == "frequency@5" and names[-2:] == ["tfidf_omikuji", "tfidf_linear"]
    by_name = {r.name: r for r in results}
    assert by_name["tfidf_omikuji"].scores.mif > by_name["frequency@5"].scores.mif
    assert "tfidf_omikuji" in format_table(results)

    paths = {}
    for split, articles in (("train", train), ("validation", validation), ("test", test)):
        paths[split] = tmp_path / f"{split}.json"
        write_bioasq_json(articles, paths[split])
    cli = load_script("baselines")
    out = tmp_path / "results.json"
    argv = [*("--train", paths["train"], "--validation", paths["validation"])]
    argv += [*("--eval", paths["test"], "--baselines", "frequency", "--k", "2")]
    argv = [str(arg) for arg in [*argv, "--output", out, "--no-progress"]]
    assert cli.main(argv) == 0
    report = json.loads(out.read_text())
    assert report["n_eval"] == 10
    assert [r["name"] for r in report["results"]] == ["frequency@2"]
    assert "frequency@2" in capsys.readouterr().out
    assert cli.main(["--train", str(tmp_path / "missing.json"), "--no-progress"]) == 2
