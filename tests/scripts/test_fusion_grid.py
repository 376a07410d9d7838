"""The learned-fusion validation grid runs end to end and writes one row per setting."""

import json
import subprocess
import sys

from paths import MESH_MINI, MQAN_FIXTURES, PROJECT_ROOT

KNN_BASE = {"type": "ensemble", "members": {"knn": {"type": "tfidf_knn", "neighbours": 40,
                                                    "tfidf": {"min_df": 1}}}}  # fmt: skip


def corpus_file(path, copies: int) -> None:
    """The fixture's articles, repeated under new PMIDs (enough rows for the trees)."""
    articles = json.loads((MQAN_FIXTURES / "mesh_articles.json").read_text())["articles"]
    out = [
        {**article, "pmid": f"{9_000_000 + copy * 100 + i}"}
        for copy in range(copies)
        for i, article in enumerate(articles)
    ]
    path.write_text(json.dumps({"articles": out}))


def test_the_grid_scores_the_base_and_every_setting_on_validation(tmp_path):
    train, validation, output = tmp_path / "train.json", tmp_path / "val.json", tmp_path / "g.json"
    corpus_file(train, 12)
    corpus_file(validation, 2)
    result = subprocess.run(
        [sys.executable, "scripts/experiments/fusion_grid.py", "--train", str(train),
         "--validation", str(validation), "--mesh-file", str(MESH_MINI),
         "--base", json.dumps(KNN_BASE), "--output", str(output)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads(output.read_text())
    assert rows[0]["row"].startswith("base")
    assert len(rows) == 1 + 3 + 3  # the base, three tree settings, three feature drops
    assert all(0 <= row["MiF"] <= 1 for row in rows)
    assert all(row["trees"] >= 1 for row in rows[1:])
    assert "| base |" in result.stdout
