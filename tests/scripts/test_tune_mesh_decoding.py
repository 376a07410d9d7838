import json
import subprocess
import sys

from paths import MQAN_FIXTURES, PROJECT_ROOT


def test_tuning_table_scores_every_cap_and_the_baseline(tiny_archive, tmp_path):
    articles = str(MQAN_FIXTURES / "mesh_articles.json")
    out = tmp_path / "caps.json"
    result = subprocess.run(
        [
            sys.executable,
            "scripts/tune_mesh_decoding.py",
            str(tiny_archive),
            articles,
            "--train",
            articles,
            "--max-cap",
            "5",
            "--output",
            str(out),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    table = json.loads(out.read_text())
    assert [row["cap"] for row in table["caps"]] == [1, 2, 3, 4, 5, None]
    recalls = [row["mir"] for row in table["caps"][:5]]
    assert recalls == sorted(recalls), "a higher cap can only add labels"
    assert any(key.startswith("frequency@") for key in table)
    assert "<- best" in result.stdout
