"""A trained archive carries what prediction needs (the MeSH table, the fitted candidate
retriever, the tuned label selection): it predicts from any folder."""

import json
import subprocess
import sys
import tarfile
from pathlib import Path

from paths import MQAN_FIXTURES


def test_archive_carries_its_artifacts(tiny_archive):
    with tarfile.open(tiny_archive) as archive:
        names = set(archive.getnames())
    assert "artifacts/mesh/descriptors.tsv" in names
    assert "artifacts/candidates/meta.json" in names
    assert any(n.startswith("artifacts/candidates/retriever/") for n in names)
    assert not any(n.endswith((".pkl", ".pickle")) for n in names)


def test_predict_from_another_folder(tiny_archive, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = elsewhere / "labels.jsonl"
    allennlp = str(Path(sys.executable).with_name("allennlp"))
    result = subprocess.run(
        [
            allennlp,
            "predict",
            str(tiny_archive),
            str(MQAN_FIXTURES / "predict_input.jsonl"),
            "--predictor",
            "mesh_indexer",
            "--include-package",
            "multitask",
            "--include-package",
            "tasks",
            "--output-file",
            str(out),
            "--silent",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == len((MQAN_FIXTURES / "predict_input.jsonl").read_text().splitlines())
    assert all(row["labels"] for row in rows)
    # nothing fitted or cached in the folder it ran from
    assert sorted(p.name for p in elsewhere.iterdir()) == ["labels.jsonl"]
