"""The experiment table: one line per run, then each row's mean and spread over seeds."""

import json
import subprocess
import sys

from paths import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "experiments" / "experiment_table.py"


def write_run(root, name, mif, rouge=None, seconds=600):
    run = root / name
    run.mkdir()
    tasks = {"mesh_indexing": {"metrics": {"MiF": mif, "EBF": mif - 0.01, "MaF": 0.2}}}
    if rouge is not None:
        tasks["title_generation"] = {
            "metrics": {"ROUGE-1": rouge, "ROUGE-2": rouge / 2, "ROUGE-L": rouge}
        }
    deca = 100 * mif + (100 * rouge if rouge else 0)
    (run / "held_out_metrics.json").write_text(json.dumps({"tasks": tasks, "decaScore": deca}))
    (run / "train_seconds").write_text(str(seconds))


def test_rows_seeds_means_and_missing_rows(tmp_path):
    write_run(tmp_path, "mesh_s1", 0.50)
    write_run(tmp_path, "mesh_s2", 0.52)
    write_run(tmp_path, "mesh_title_s1", 0.53, rouge=0.3)
    (tmp_path / "mesh_title_s2").mkdir()  # still training: no metrics yet
    # the script imports no project package: a subprocess costs a fraction of a second
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), "--rows", "mesh", "mesh_title", "four"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[2].startswith("| mesh | 1 | 0.5000 | 0.4900 | 0.2000 | - |")
    assert lines[4].startswith("| **mesh** | mean | 0.5100 |")
    assert lines[5].startswith("| | spread | 0.0200 |")
    assert lines[6].startswith("| mesh_title | 1 | 0.5300 | 0.5200 | 0.2000 | 0.3000 | 0.1500 |")
    assert lines[6].endswith("| 83.0 | 10.0 |")
    assert lines[7].startswith("| four | not measured |")
    assert len(lines) == 8  # one seed of mesh_title: no mean line
