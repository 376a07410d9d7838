import os

import pytest
import torch
from allennlp.common.testing import ModelTestCase
from allennlp.data import Batch
from paths import MQAN_FIXTURES, PROJECT_ROOT

import multitask  # noqa: F401  (registers components)
import tasks  # noqa: F401
from multitask.decoding.selection_tuning import SelectionTuner


class TestMQANOnMeshFixtures(ModelTestCase):
    def setup_method(self):
        super().setup_method()
        os.chdir(PROJECT_ROOT)  # the fixture config names files relative to the project root
        # seeded: a test's starting weights must not depend on which tests ran before it
        self.set_up_model(
            MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet", MQAN_FIXTURES / "mesh_articles.json", seed=0
        )

    def test_model_can_train_save_and_load(self):
        # every parameter must get a gradient, and a reloaded model must predict the same
        self.ensure_model_can_train_save_and_load(self.param_file, tolerance=1e-3)

    def test_batch_predictions_are_consistent(self):
        self.ensure_batch_predictions_are_consistent(keys_to_ignore=("loss",))

    @pytest.mark.parametrize("beam_size", [1, 3])
    def test_decoded_labels_are_real_descriptors_without_repeats(self, beam_size):
        self.model.beam_size = beam_size
        self.model.eval()
        with torch.no_grad():
            output = self.model(**self.dataset.as_tensor_dict())
        mini_uis = {
            line.split("\t")[0]
            for line in (PROJECT_ROOT / "tests/fixtures/mesh/mesh_mini.tsv")
            .read_text()
            .splitlines()[1:]
        }
        for answer in output["answer"]:
            uis = [label["ui"] for label in answer["labels"]]
            assert uis, "constrained decoding must produce at least one label"
            assert len(uis) == len(set(uis))
            assert set(uis) <= mini_uis

    def test_decoding_is_skipped_when_the_selection_reads_only_scores(self, monkeypatch):
        self.model.tasks["mesh_indexing"].decoding.selection.set_values("scores", 0.3, 0.3)
        self.model.eval()
        tensors = self.dataset.as_tensor_dict()
        with torch.no_grad():
            self.model.always_decode = True
            decoded = self.model(**tensors)
            searches = []
            original = self.model._search
            monkeypatch.setattr(
                self.model, "_search", lambda *a, **k: searches.append(1) or original(*a, **k)
            )
            self.model.always_decode = False
            skipped = self.model(**tensors)
        assert not searches, "the decoder ran although its labels are not read"
        assert skipped["answer"] == decoded["answer"]
        assert any(decoded["predicted_tokens"]) and not any(skipped["predicted_tokens"])
        # a validation pass that tunes the selection still decodes
        self.model.selection_tuner = SelectionTuner.for_tasks(self.model.tasks)
        with torch.no_grad():
            self.model(**tensors)
        assert searches

    def test_the_tuned_selection_is_in_the_state_dict_and_survives_loading(self):
        from allennlp.common import Params
        from allennlp.models import Model

        selection = self.model.tasks["mesh_indexing"].decoding.selection
        assert self.model.selections["mesh_indexing"] is selection
        selection.set_values("scores", 0.15, 0.45)
        state = self.model.state_dict()
        assert "selections.mesh_indexing.thresholds" in state
        params = Params.from_file(self.param_file).get("model")
        fresh = Model.from_params(vocab=self.vocab, params=params)
        before = fresh.tasks["mesh_indexing"].decoding.selection.settings()
        assert before != selection.settings()  # the config's values, not the tuned ones
        fresh.load_state_dict(state)
        assert fresh.tasks["mesh_indexing"].decoding.selection.settings() == selection.settings()

    def test_an_archive_of_the_old_layout_loads_its_selection(self):
        from allennlp.common import Params
        from allennlp.models import Model

        state = self.model.state_dict()
        del state["selections.mesh_indexing.mode_index"]
        del state["selections.mesh_indexing.thresholds"]
        state["selection_mesh_indexing"] = torch.tensor([1.0, 0.15, 0.45])  # mode "scores"
        params = Params.from_file(self.param_file).get("model")
        fresh = Model.from_params(vocab=self.vocab, params=params)
        incompatible = fresh.load_state_dict(state, strict=False)
        assert not incompatible.missing_keys and not incompatible.unexpected_keys
        settings = fresh.tasks["mesh_indexing"].decoding.selection.settings()
        assert settings == ("scores", pytest.approx(0.15), pytest.approx(0.45))

    def test_validation_records_for_the_tuner_and_get_metrics_does_not_tune(self):
        selection = self.model.tasks["mesh_indexing"].decoding.selection
        selection.set_values("decoder", 0.0, 1.0)
        tuner = SelectionTuner.for_tasks(self.model.tasks)
        self.model.selection_tuner = tuner
        self.model.eval()
        with torch.no_grad():
            self.model(**self.dataset.as_tensor_dict())
        recorded = len(tuner.records["mesh_indexing"])
        assert recorded == len(self.instances)
        self.model.get_metrics(reset=True)
        assert tuner.records["mesh_indexing"], "get_metrics must leave the records alone"
        assert selection.settings() == ("decoder", 0.0, 1.0)
        # training passes record nothing
        self.model.train()
        self.model(**self.dataset.as_tensor_dict())
        assert len(tuner.records["mesh_indexing"]) == recorded

    def test_loss_goes_down_when_overfitting_a_batch(self):
        batch = Batch(list(self.instances))
        batch.index_instances(self.vocab)
        tensors = batch.as_tensor_dict()
        optimizer = torch.optim.Adam(self.model.parameters(), lr=0.01)
        self.model.train()
        first = self.model(**tensors)["loss"].item()
        for _ in range(30):
            optimizer.zero_grad()
            loss = self.model(**tensors)["loss"]
            loss.backward()
            optimizer.step()
        assert loss.item() < first * 0.5

    def test_encoder_and_decoder_dims_must_match(self):
        from allennlp.common import Params
        from allennlp.models import Model

        params = Params.from_file(self.param_file).get("model")
        params["encoder"]["dim"] = 8
        with pytest.raises(ValueError, match="encoder's dim"):
            Model.from_params(vocab=self.vocab, params=params)
