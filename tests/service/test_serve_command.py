"""`allennlp serve-mesh` refuses what it cannot serve before it opens a socket: one line that
says what to fix, exit status 1. In-process and fast (nothing is loaded or served)."""

import json

import pytest
from cli_runner import run_allennlp
from paths import MESH_MINI

from tasks.mesh_indexing.service.app import ServiceSettings
from tasks.mesh_indexing.service.projects import ProjectSpec


@pytest.mark.parametrize(
    "arguments, message",
    [
        ([], "no project to serve"),
        (["--project", "a=missing/model.tar.gz"], "model archive missing/model.tar.gz not found"),
        (["--project", "bad id=frequency"], "project id 'bad id"),
        (["--project", "a=frequency"], "frequency is not trained"),
        (["--project", "a=no_such_suggester"], "neither a model archive"),
        (["--project", "a={not json"], "not valid JSON"),
        (["--projects-file", "missing.json"], "projects file missing.json not found"),
    ],
)
def test_what_cannot_be_served_is_refused_at_once(arguments, message, capsys):
    assert run_allennlp("serve-mesh", *arguments, "--mesh-file", MESH_MINI) == 1
    assert message in capsys.readouterr().err


def test_a_project_id_is_given_once_and_settings_are_checked(tmp_path, capsys):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "suggester.json").write_text('{"type": "frequency"}')
    projects = tmp_path / "projects.json"
    projects.write_text(json.dumps({"projects": [{"project_id": "a", "suggester": str(folder)}]}))
    assert run_allennlp("serve-mesh", "--projects-file", projects, "--project", f"a={folder}") == 1
    assert "project id 'a' is given twice" in capsys.readouterr().err
    assert (
        run_allennlp(
            "serve-mesh",
            "--project",
            f"a={folder}",
            "--max-batch-size",
            "0",
            "--mesh-file",
            MESH_MINI,
        )
        == 1
    )
    assert "--max-batch-size must be at least 1" in capsys.readouterr().err
    assert run_allennlp("serve-mesh", "--project", f"a={folder}", "--mesh-file", "nowhere.tsv") == 1
    assert "MeSH table nowhere.tsv not found" in capsys.readouterr().err


def test_project_specs_and_settings_read_back():
    spec = ProjectSpec.parse("mqan=runs/x/model.tar.gz,name=MeSH, MQAN")
    assert spec == ProjectSpec("mqan", "runs/x/model.tar.gz", "MeSH, MQAN")
    assert ProjectSpec.parse("runs/mesh_mqan/model.tar.gz").project_id == "mesh_mqan"
    config = '{"type": "ensemble", "members": {"a": {"type": "frequency"}}}'
    assert ProjectSpec.parse(f"mix={config}") == ProjectSpec("mix", config)
    settings = ServiceSettings(projects=(spec,), max_batch_size=64, include_packages=("x",))
    assert ServiceSettings.from_json(settings.to_json()) == settings


def test_help_has_a_description_and_an_example(capsys):
    assert run_allennlp("serve-mesh", "--help") == 0
    text = capsys.readouterr().out
    assert "Annif's REST API" in text and "\n  allennlp serve-mesh --project " in text
