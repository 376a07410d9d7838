import json
import subprocess
import sys

from paths import MQAN_FIXTURES, PROJECT_ROOT


def test_submission_has_bioasq_layout(tiny_archive, tmp_path):
    out = tmp_path / "submission.json"
    result = subprocess.run(
        [
            sys.executable,
            "scripts/write_bioasq_submission.py",
            str(tiny_archive),
            str(MQAN_FIXTURES / "mesh_articles.json"),
            "--output",
            str(out),
            "--batch-size",
            "3",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    documents = json.loads(out.read_text())["documents"]
    assert [d["pmid"] for d in documents] == list(range(9000001, 9000009))
    for document in documents:
        assert document["labels"], document
        assert all(ui.startswith("D") for ui in document["labels"]), document["labels"]
