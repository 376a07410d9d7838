"""Swappable parts of the MQAN, each selected by config alone, train, save and load:
QANet's encoder and hierarchy-aware label embeddings (a graph convolution over MeSH)."""

import os

import pytest
from allennlp.common.testing import ModelTestCase
from paths import MQAN_FIXTURES, PROJECT_ROOT

import multitask  # noqa: F401  (registers components)
import tasks  # noqa: F401
from multitask.modules.label_graph import GraphLabelEmbedding
from multitask.modules.qanet import QANetEncoder

VARIANTS = {
    "qanet": ("mesh_mqan_tiny_qanet.jsonnet", lambda m: isinstance(m.encoder, QANetEncoder)),
    "hierarchy": (
        "mesh_mqan_tiny_hierarchy.jsonnet",
        lambda m: isinstance(m.label_scorer.label_embedding, GraphLabelEmbedding),
    ),
}


class TestMQANVariants(ModelTestCase):
    def setup_method(self):
        super().setup_method()
        os.chdir(PROJECT_ROOT)  # fixture configs name files relative to the project root

    @pytest.mark.parametrize("variant", sorted(VARIANTS))
    def test_trains_saves_and_loads(self, variant):
        config, is_variant = VARIANTS[variant]
        self.set_up_model(MQAN_FIXTURES / config, MQAN_FIXTURES / "mesh_articles.json")
        assert is_variant(self.model)
        self.ensure_model_can_train_save_and_load(self.param_file, tolerance=1e-3)
