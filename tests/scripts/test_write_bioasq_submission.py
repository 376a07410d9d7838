"""`allennlp bioasq-submission` (library: ``tasks.mesh_indexing.submission``): BioASQ's
layout, every PMID answered, and paths checked before the model is loaded."""

import json

import pytest
from cli_runner import run_allennlp
from paths import MQAN_FIXTURES

from multitask.errors import UserInputError
from tasks.mesh_indexing import submission
from tasks.mesh_indexing.submission import write_submission

ARTICLES = MQAN_FIXTURES / "mesh_articles.json"


def test_submission_has_bioasq_layout(tiny_archive, tmp_path, capsys):
    out = tmp_path / "submission.json"
    code = run_allennlp(
        "bioasq-submission", tiny_archive, ARTICLES, "--output", out, "--batch-size", "3"
    )
    assert code == 0, capsys.readouterr().err[-2000:]
    documents = json.loads(out.read_text())["documents"]
    assert [d["pmid"] for d in documents] == list(range(9000001, 9000009))
    for document in documents:
        assert document["labels"], document
        assert all(ui.startswith("D") for ui in document["labels"]), document["labels"]
    assert f"8 documents -> {out}" in capsys.readouterr().out


def test_a_bad_output_path_fails_before_the_model_is_loaded(tmp_path, monkeypatch):
    monkeypatch.setattr(submission.Predictor, "from_path", lambda *a, **k: pytest.fail("loaded"))
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(b"not read")
    output = tmp_path / "no" / "such" / "dir" / "x.json"
    with pytest.raises(UserInputError) as error:
        write_submission(archive, ARTICLES, output)
    assert str(error.value) == f"--output {output}: folder {output.parent} does not exist"


def test_every_pmid_is_submitted_even_without_text(tiny_archive, tmp_path):
    test_set = tmp_path / "test_set.json"
    documents = [
        {"pmid": 1, "title": "Breast carcinoma in women", "abstractText": "Adenocarcinoma."},
        {"pmid": 2, "title": "", "abstractText": ""},
        {"pmid": 3, "title": "", "abstractText": "An abstract without its title."},
    ]
    test_set.write_text(json.dumps({"documents": documents}))
    out = tmp_path / "submission.json"
    summary = write_submission(tiny_archive, test_set, out)
    submitted = json.loads(out.read_text())["documents"]
    assert [d["pmid"] for d in submitted] == [1, 2, 3]
    assert submitted[1]["labels"] == [] and submitted[0]["labels"] and submitted[2]["labels"]
    assert summary.documents == 3 and summary.without_text == 1
    assert "1 document(s) with empty title and abstract" in summary.render()
