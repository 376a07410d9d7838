import json
import subprocess
import sys

import pytest
from paths import MQAN_FIXTURES, PROJECT_ROOT, load_script


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


def test_a_bad_output_path_fails_before_the_model_is_loaded(tmp_path, capsys, monkeypatch):
    script = load_script("write_bioasq_submission")
    monkeypatch.setattr(script.Predictor, "from_path", lambda *a, **k: pytest.fail("loaded"))
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(b"not read")
    output = tmp_path / "no" / "such" / "dir" / "x.json"
    articles = str(MQAN_FIXTURES / "mesh_articles.json")
    code = script.main([str(archive), articles, "--output", str(output)])
    assert code == 1
    assert capsys.readouterr().err == (
        f"error: --output {output}: folder {output.parent} does not exist\n"
    )


def test_every_pmid_is_submitted_even_without_text(tiny_archive, tmp_path, capsys):
    test_set = tmp_path / "test_set.json"
    documents = [
        {"pmid": 1, "title": "Breast carcinoma in women", "abstractText": "Adenocarcinoma."},
        {"pmid": 2, "title": "", "abstractText": ""},
        {"pmid": 3, "title": "", "abstractText": "An abstract without its title."},
    ]
    test_set.write_text(json.dumps({"documents": documents}))
    out = tmp_path / "submission.json"
    code = load_script("write_bioasq_submission").main(
        [str(tiny_archive), str(test_set), "--output", str(out)]
    )
    assert code == 0
    submitted = json.loads(out.read_text())["documents"]
    assert [d["pmid"] for d in submitted] == [1, 2, 3]
    assert submitted[1]["labels"] == [] and submitted[0]["labels"] and submitted[2]["labels"]
    assert "1 document(s) with empty title and abstract" in capsys.readouterr().out
