"""Data-loader worker processes (``data_loader.num_workers``) read the training file in
parallel: each instance arrives once, indexed in the main process."""

import json
import os

from allennlp.common import Params
from allennlp.data import DatasetReader, Vocabulary
from allennlp.data.data_loaders import MultiProcessDataLoader
from paths import MQAN_FIXTURES, PROJECT_ROOT

import multitask  # noqa: F401
import tasks  # noqa: F401

DATA = MQAN_FIXTURES / "mesh_articles.json"


def test_two_reader_workers_deliver_every_instance_once():
    os.chdir(PROJECT_ROOT)
    params = Params.from_file(str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet"))
    reader = DatasetReader.from_params(params.pop("dataset_reader"))
    loader = MultiProcessDataLoader(
        reader, str(DATA), batch_size=3, num_workers=2, max_instances_in_memory=4
    )
    loader.index_with(Vocabulary.from_instances(loader.iter_instances()))
    pmids = [meta["pmid"] for batch in loader for meta in batch["metadata"]]
    expected = [article["pmid"] for article in json.loads(DATA.read_text())["articles"]]
    assert sorted(pmids) == sorted(expected)


def test_sharded_reader_gives_each_worker_its_own_files(tmp_path):
    """For corpora split into files (the way to scale to many workers: each parses only
    its own files), AllenNLP's `sharded` reader wraps the task reader."""
    os.chdir(PROJECT_ROOT)
    articles = json.loads(DATA.read_text())["articles"]
    for shard in range(4):
        part = {"articles": articles[shard::4]}
        (tmp_path / f"shard_{shard}.json").write_text(json.dumps(part))
    params = Params.from_file(str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet"))
    reader = DatasetReader.from_params(
        Params({"type": "sharded", "base_reader": params.pop("dataset_reader").as_dict()})
    )
    loader = MultiProcessDataLoader(
        reader, str(tmp_path / "shard_*.json"), batch_size=3, num_workers=2
    )
    loader.index_with(Vocabulary.from_instances(loader.iter_instances()))
    pmids = [meta["pmid"] for batch in loader for meta in batch["metadata"]]
    assert sorted(pmids) == sorted(article["pmid"] for article in articles)
