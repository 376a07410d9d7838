"""No task trains on a test article: every training file a config names (MeSH and title
generation alike) holds only PMIDs of the training bucket, and none of the test files'."""

import pytest
from allennlp.common import Params
from paths import PROJECT_ROOT

from tasks.pubmed.corpus import ReadStats, read_articles
from tasks.pubmed.split import split_of

CORPUS = PROJECT_ROOT / "data" / "corpus"
TEST_FILES = [CORPUS / "test.json", CORPUS / "all" / "test.json"]
CONFIGS = ["mesh_mqan.jsonnet", "mesh_title_mqan.jsonnet", "mesh_lm_pretrain.jsonnet"]


def pmids(path) -> set[str]:
    return {a.pmid for a in read_articles(path, stats=ReadStats(), require_mesh=False)}


def training_files(config: str) -> dict[str, str]:
    params = Params.from_file(str(PROJECT_ROOT / "training_configs" / config))
    paths = params.get("train_data_path")
    paths = paths.as_dict() if isinstance(paths, Params) else {"mesh_indexing": paths}
    return {task: path for task, path in paths.items() if path.startswith("data/corpus/")}


@pytest.fixture(scope="module")
def test_pmids() -> set[str]:
    missing = [str(p) for p in TEST_FILES if not p.exists()]
    if missing:
        pytest.skip(f"default corpus not built ({', '.join(missing)}): run `make install`")
    found = set().union(*(pmids(path) for path in TEST_FILES))
    assert found
    return found


@pytest.mark.parametrize("config", CONFIGS)
def test_no_task_of_a_config_trains_on_a_test_article(config, test_pmids, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    files = training_files(config)
    expected = {"mesh_indexing", "title_generation"} if "title" in config else {"mesh_indexing"}
    assert set(files) == expected, f"{config}: {files}"
    for task, path in files.items():
        trained = pmids(PROJECT_ROOT / path)
        assert trained, path
        assert not trained & test_pmids, f"{task} trains on test articles ({path})"
        assert {split_of(pmid) for pmid in trained} == {"train"}, path


def test_test_files_are_the_test_bucket(test_pmids):
    assert {split_of(pmid) for pmid in test_pmids} == {"test"}
    assert pmids(CORPUS / "test.json") <= pmids(CORPUS / "all" / "test.json")
