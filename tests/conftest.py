"""Session-wide fixtures: one tiny trained archive that predictor and script tests share."""

import json
import os

import pytest
from paths import MQAN_FIXTURES, PROJECT_ROOT


@pytest.fixture(scope="session")
def tiny_archive(tmp_path_factory):
    """Train the tiny fixture config once (a few seconds) and return its model.tar.gz."""
    from allennlp.commands.train import train_model_from_file

    import multitask  # noqa: F401
    import tasks  # noqa: F401

    os.chdir(PROJECT_ROOT)
    out = tmp_path_factory.mktemp("tiny_mqan") / "run"
    train_model_from_file(
        str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet"),
        str(out),
        overrides=json.dumps(
            {
                "trainer.num_epochs": 3,
                "dataset_reader.candidates.cache_dir": str(out.parent / "candidates"),
            }
        ),
    )
    return out / "model.tar.gz"
