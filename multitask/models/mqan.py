"""MQAN, the Multitask Question Answering Network (McCann et al. 2018, "The Natural Language
Decathlon: Multitask Learning as Question Answering"), as one AllenNLP model for every task.
"""

import logging
from typing import Any, Optional

import torch
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.modules import TextFieldEmbedder
from allennlp.nn import InitializerApplicator, util
from allennlp.nn.beam_search import BeamSearch
from torch import nn
from torch.nn.functional import binary_cross_entropy_with_logits

from multitask.decoding.greedy import greedy_search
from multitask.decoding.label_selection import selection_key, upgrade_legacy_selection_state
from multitask.decoding.selection_tuning import SelectionTuner
from multitask.models.task_spec import TaskSpec
from multitask.modules.decoder import MQANDecoder, QADecoder
from multitask.modules.encoder import EncodedQA, MQANEncoder, QAEncoder
from multitask.modules.label_scorer import FIRST_LABEL, LabelScorer, LabelScores
from multitask.modules.pointer_generator import MultiPointerGenerator, extended_ids
from multitask.qa.instance_builder import (
    END_SYMBOL,
    LABEL_NAMESPACE,
    START_SYMBOL,
    TARGET_NAMESPACE,
)

LOSS_NORMALIZATIONS = ("tokens", "instances")
#: labels from the head's whole-vocabulary scores passed to a task's selection per instance
TOP_HEAD_LABELS = 100

logger = logging.getLogger(__name__)


@Model.register("mqan")
class MQAN(Model):
    """Embeddings projected to ``dim`` -> QA encoder -> QA decoder -> multi-pointer-generator.

    One set of parameters serves every task: the task only changes how decoding is
    constrained, how the answer is post-processed and which metric scores it (``tasks``).

    # Parameters

    dim : `int`
        Width of every encoder and decoder stage.
    encoder, decoder : `QAEncoder`, `QADecoder`, optional
        Swappable by registered name (MQAN's by default).
    tasks : `dict[str, TaskSpec]`
        Per task: decoding hooks, metric, headline metric.
    beam_size, max_decoding_steps : `int`
    loss_normalization : `str`, optional (default = `"tokens"`)
        `tokens`: the sequence loss is the mean over every answer token of the batch, so a
        long answer (many MeSH headings) weighs what its tokens weigh; `instances`: the
        mean of per-answer means (each answer weighs the same).
    label_scorer : `LabelScorer`, optional
        A label-scoring head on the encoder (multi-label tasks: instances with `labels`
        and, optionally, candidates in the question); binary cross-entropy is added to
        the sequence loss, and its probabilities go to the task's label selection.
    label_loss_weight, candidate_loss_weight : `float`, optional (default = `1.0`)
        Weights of the head's two losses (summed over labels / candidates, averaged over
        the batch).
    use_decoder : `bool`, optional (default = `True`)
        `False` trains and predicts with the label head alone (the plain binary
        cross-entropy model, for comparison).
    always_decode : `bool`, optional (default = `False`)
        Run the decoder at prediction time even for a task whose label selection does not
        read its labels (mode `scores`, as tuned on validation): the answer is the same,
        only `predicted_tokens` then shows the decoder's own text. Off, such tasks skip the
        step-by-step decoding, the slowest part of prediction. Validation passes that tune
        the selection always decode.
    initializer : `InitializerApplicator`, optional
        Applied once the model is built: e.g. `pretrained` weights of a domain
        pre-training run (training_configs/mesh_mqan_pretrained.jsonnet). AllenNLP drops it
        when loading an archive, whose weights are the trained ones.
    """

    default_predictor = "multitask_qa"

    def __init__(
        self,
        vocab: Vocabulary,
        text_field_embedder: TextFieldEmbedder,
        dim: int = 200,
        encoder: Optional[QAEncoder] = None,
        decoder: Optional[QADecoder] = None,
        tasks: Optional[dict[str, TaskSpec]] = None,
        dropout: float = 0.2,
        beam_size: int = 1,
        max_decoding_steps: int = 60,
        target_namespace: str = TARGET_NAMESPACE,
        loss_normalization: str = "tokens",
        label_scorer: Optional[LabelScorer] = None,
        label_loss_weight: float = 1.0,
        candidate_loss_weight: float = 1.0,
        use_decoder: bool = True,
        label_namespace: str = LABEL_NAMESPACE,
        always_decode: bool = False,
        initializer: Optional[InitializerApplicator] = None,
        **kwargs,
    ) -> None:
        super().__init__(vocab, **kwargs)
        if loss_normalization not in LOSS_NORMALIZATIONS:
            raise ValueError(
                f"loss_normalization must be one of {LOSS_NORMALIZATIONS}, got "
                f"{loss_normalization!r}"
            )
        if not use_decoder and label_scorer is None:
            raise ValueError("use_decoder=False needs a label_scorer to predict with")
        self.text_field_embedder = text_field_embedder
        self.projection = nn.Linear(text_field_embedder.get_output_dim(), dim)
        self.encoder = encoder or MQANEncoder(dim)
        self.decoder = decoder or MQANDecoder(dim)
        for part, module in (("encoder", self.encoder), ("decoder", self.decoder)):
            if module.dim != dim:
                raise ValueError(f"model dim is {dim} but the {part}'s dim is {module.dim}")
        self.target_namespace = target_namespace
        self.vocab_size = vocab.get_vocab_size(target_namespace)
        self.answer_embedding = nn.Embedding(self.vocab_size, dim, padding_idx=0)
        self.start_index = vocab.get_token_index(START_SYMBOL, target_namespace)
        self.end_index = vocab.get_token_index(END_SYMBOL, target_namespace)
        self.unk_index = vocab.get_token_index(vocab._oov_token, target_namespace)
        blocked = (0, self.start_index) if self.start_index != self.unk_index else (0,)
        self.generator = MultiPointerGenerator(dim, self.vocab_size, blocked)
        self.dropout = nn.Dropout(dropout)
        self.tasks = tasks or {}
        self.beam_size = beam_size
        self.max_decoding_steps = max_decoding_steps
        self._constraints: dict[str, Any] = {}
        self._scored_tasks: set[str] = set()  # tasks whose metric saw predictions since reset
        self.loss_normalization = loss_normalization
        self.label_scorer = label_scorer
        self.label_loss_weight = label_loss_weight
        self.candidate_loss_weight = candidate_loss_weight
        self.use_decoder = use_decoder
        self.always_decode = always_decode
        self.label_namespace = label_namespace
        # submodules, so that each tuned selection travels in the weights, with the epoch
        # that earned it
        self.selections = nn.ModuleDict(
            {
                selection_key(name): spec.decoding.selection
                for name, spec in self.tasks.items()
                if spec.decoding.selection is not None
            }
        )
        #: attached by the `tune_label_selection` trainer callback: validation passes then
        #: record what tuning needs
        self.selection_tuner: Optional[SelectionTuner] = None
        if initializer is not None:
            initializer(self)

    # ---- encoding -------------------------------------------------------------------------
    def _embed(self, tokens: TextFieldTensors) -> tuple[torch.Tensor, torch.Tensor]:
        mask = util.get_text_field_mask(tokens)
        return self.dropout(self.projection(self.text_field_embedder(tokens))), mask

    def _encode(self, context: TextFieldTensors, question: TextFieldTensors) -> EncodedQA:
        context_embedded, context_mask = self._embed(context)
        question_embedded, question_mask = self._embed(question)
        return self.encoder(context_embedded, context_mask, question_embedded, question_mask)

    def _embed_answer(self, ids: torch.Tensor) -> torch.Tensor:
        # copied OOV words (ids past the vocabulary) are fed back as UNK, as in decaNLP
        ids = torch.where(ids >= self.vocab_size, torch.full_like(ids, self.unk_index), ids)
        return self.answer_embedding(ids)

    # ---- forward --------------------------------------------------------------------------
    def forward(  # type: ignore[override]
        self,
        context: TextFieldTensors,
        question: TextFieldTensors,
        context_to_target: torch.Tensor,
        question_to_target: torch.Tensor,
        context_source_ids: torch.Tensor,
        question_source_ids: torch.Tensor,
        task: list[str],
        metadata: list[dict[str, Any]],
        answer: Optional[TextFieldTensors] = None,
        answer_source_ids: Optional[torch.Tensor] = None,
        candidate_spans: Optional[torch.Tensor] = None,
        candidate_labels: Optional[torch.Tensor] = None,
        candidate_features: Optional[torch.Tensor] = None,
        labels: Optional[torch.Tensor] = None,
    ) -> dict[str, Any]:
        encoded = self._encode(context, question)
        scores = None
        if self.label_scorer is not None and (labels is not None or candidate_labels is not None):
            scores = self.label_scorer(
                encoded, candidate_spans, candidate_labels, candidate_features
            )
        context_ext = extended_ids(
            context_to_target, context_source_ids, self.vocab_size, self.unk_index
        )
        question_ext = extended_ids(
            question_to_target, question_source_ids, self.vocab_size, self.unk_index
        )
        output: dict[str, Any] = {}
        losses = []
        if scores is not None and labels is not None:
            losses.append(self._label_loss(scores, labels, candidate_labels))
        if answer is not None and self.use_decoder:
            answer_ids = util.get_token_ids_from_text_field_tensors(answer)
            answer_mask = util.get_text_field_mask(answer)
            targets = answer_ids
            if answer_source_ids is not None:
                copyable = (answer_ids == self.unk_index) & (answer_source_ids > 0)
                targets = torch.where(copyable, self.vocab_size + answer_source_ids - 1, answer_ids)
            step, _ = self.decoder(
                self._embed_answer(answer_ids[:, :-1]),
                answer_mask[:, :-1],
                encoded,
                self.decoder.init_state(encoded),
            )
            log_probs = self.generator.target_log_probs(
                step, targets[:, 1:], context_ext, question_ext
            )
            target_mask = answer_mask[:, 1:].float()
            if self.loss_normalization == "tokens":
                losses.append(-(log_probs * target_mask).sum() / target_mask.sum().clamp(min=1.0))
            else:
                per_answer = -(log_probs * target_mask).sum(1) / target_mask.sum(1).clamp(min=1.0)
                losses.append(per_answer.mean())
        if losses:
            output["loss"] = torch.stack(losses).sum()
        if not self.training:
            output.update(
                self._decode_by_task(encoded, context_ext, question_ext, task, metadata, scores)
            )
        return output

    def _label_loss(
        self,
        scores: LabelScores,
        labels: torch.Tensor,
        candidate_labels: Optional[torch.Tensor],
    ) -> torch.Tensor:
        """Binary cross-entropy of the head: over every label, and over the candidates."""
        targets = labels.float()
        batch = labels.size(0)
        loss = binary_cross_entropy_with_logits(
            scores.labels[:, FIRST_LABEL:], targets[:, FIRST_LABEL:], reduction="sum"
        )
        loss = self.label_loss_weight * loss / batch
        if scores.candidates is not None and candidate_labels is not None:
            mask = scores.candidate_mask.float()
            candidate_targets = targets.gather(1, candidate_labels.clamp(min=0))
            candidate_loss = binary_cross_entropy_with_logits(
                scores.candidates, candidate_targets, reduction="none"
            )
            loss = loss + self.candidate_loss_weight * (candidate_loss * mask).sum() / batch
        return loss

    # ---- decoding -------------------------------------------------------------------------
    def _spec(self, task: str) -> TaskSpec:
        return self.tasks.get(task) or self.tasks.setdefault(task, TaskSpec())

    def _constraint(self, task: str):
        if task not in self._constraints:
            self._constraints[task] = self._spec(task).decoding.constraint(
                self.vocab, self.target_namespace
            )
        return self._constraints[task]

    def _decode_by_task(
        self, encoded, context_ext, question_ext, tasks, metadata, scores=None
    ) -> dict[str, Any]:
        batch = len(tasks)
        tokens: list[list[str]] = [[] for _ in range(batch)]
        answers: list[Any] = [None] * batch
        label_scores = self._label_probabilities(scores, metadata) if scores is not None else None
        for task in dict.fromkeys(tasks):
            rows = torch.tensor(
                [i for i, t in enumerate(tasks) if t == task], device=context_ext.device
            )
            decoding = self._spec(task).decoding
            tuner = self._recording_tuner(task)
            if self._needs_decoder(task, label_scores is not None):
                sub = EncodedQA(**{k: v.index_select(0, rows) for k, v in vars(encoded).items()})
                predictions = self._search(
                    sub,
                    context_ext.index_select(0, rows),
                    question_ext.index_select(0, rows),
                    task,
                )
            else:
                predictions = [[] for _ in rows.tolist()]
            for row, ids in zip(rows.tolist(), predictions):
                words = self._ids_to_words(ids, metadata[row]["source_words"])
                tokens[row] = words
                row_scores = label_scores[row] if label_scores is not None else None
                answers[row] = decoding.postprocess(words, row_scores)
                if tuner is not None and row_scores is not None and metadata[row].get("gold"):
                    gold = metadata[row]["gold"]
                    tuner.record(task, decoding.decoded_labels(words), row_scores, gold)
            metric = self._spec(task).metric
            scored = [r for r in rows.tolist() if metadata[r].get("gold") is not None]
            if metric is not None and scored:
                metric(
                    [decoding.metric_prediction(answers[r]) for r in scored],
                    [metadata[r]["gold"] for r in scored],
                )
                self._scored_tasks.add(task)
            if metric is not None and len(scored) < len(rows):
                # prediction-time inputs have no gold; in evaluation this means unlabelled rows
                logger.debug("%s: %d rows without gold not scored", task, len(rows) - len(scored))
        return {"predicted_tokens": tokens, "answer": answers}

    # ---- label head at prediction time ---------------------------------------------------
    def _label_probabilities(
        self, scores: LabelScores, metadata: list[dict[str, Any]]
    ) -> list[dict[str, float]]:
        """Per instance, label id -> probability: the head's best labels overall, with the
        candidates' own scores where the question listed them."""
        probabilities = torch.sigmoid(scores.labels[:, FIRST_LABEL:])
        top = probabilities.topk(min(TOP_HEAD_LABELS, probabilities.size(1)), dim=1)
        out: list[dict[str, float]] = []
        for row in range(probabilities.size(0)):
            found = {
                self.vocab.get_token_from_index(index + FIRST_LABEL, self.label_namespace): value
                for index, value in zip(top.indices[row].tolist(), top.values[row].tolist())
            }
            if scores.candidates is not None:
                listed = metadata[row].get("candidates") or []
                values = torch.sigmoid(scores.candidates[row, : len(listed)]).tolist()
                found.update(zip(listed, values))
            out.append(found)
        return out

    def _needs_decoder(self, task: str, scored: bool) -> bool:
        """Whether this pass must decode ``task``: not when its selection reads only the
        label head's probabilities (and none is being tuned)."""
        if not self.use_decoder:
            return False
        if self.always_decode or self._recording_tuner(task) is not None or not scored:
            return True
        selection = self._spec(task).decoding.selection
        return selection is None or selection.mode != "scores"

    def _recording_tuner(self, task: str) -> Optional[SelectionTuner]:
        """The tuner this pass records ``task``'s examples for, if any (validation only)."""
        tuner = self.selection_tuner
        return tuner if tuner is not None and not self.training and tuner.tunes(task) else None

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        # archives trained before selections were submodules still load
        upgrade_legacy_selection_state(state_dict, prefix, "selections", self.selections.keys())
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _search(self, encoded: EncodedQA, context_ext, question_ext, task: str) -> list[list[int]]:
        batch = context_ext.size(0)
        largest_source_id = int(max(context_ext.max().item(), question_ext.max().item()))
        extended_size = max(self.vocab_size, largest_source_id + 1)
        constraint = self._constraint(task)
        constants, state = self.decoder.start_decoding(encoded)
        constants.update(context_ext=context_ext, question_ext=question_ext)

        def decode(last: torch.Tensor, state, timestep: int, fixed: dict[str, torch.Tensor]):
            out, state = self.decoder.decode_step(self._embed_answer(last), timestep, fixed, state)
            log_probs = self.generator.extended_log_probs(
                out, fixed["context_ext"], fixed["question_ext"], extended_size
            )
            return log_probs, state

        start = context_ext.new_full((batch,), self.start_index)
        # no autograd bookkeeping at all when gradients are off (prediction, validation)
        with torch.inference_mode(not torch.is_grad_enabled()):
            if self.beam_size == 1:
                return self._greedy(decode, start, state, constants, constraint)
            return self._beam(decode, start, state, constants, constraint)

    def _greedy(self, decode, start, state, constants, constraint) -> list[list[int]]:
        selected: dict[str, Any] = {"rows": None, "constants": constants}

        def step(last, state, timestep: int, rows: torch.Tensor):
            # the search drops ended rows now and then: select the constants' rows once
            # each time it does
            if rows is not selected["rows"]:
                full = rows.numel() == start.numel()
                selected["rows"] = rows
                selected["constants"] = (
                    constants
                    if full
                    else {k: v.index_select(0, rows) for k, v in constants.items()}
                )
            return decode(last, state, timestep, selected["constants"])

        return greedy_search(
            step, start, state, self.end_index, self.max_decoding_steps, constraint
        )

    def _beam(self, decode, start, state, constants, constraint) -> list[list[int]]:
        batch = start.numel()
        search = BeamSearch(
            self.end_index, max_steps=self.max_decoding_steps, beam_size=self.beam_size
        )
        if constraint is not None:
            search.constraints = [constraint]
        by_rows = {batch: constants}

        def step(last: torch.Tensor, state: dict[str, torch.Tensor], timestep: int):
            # the search repeats every example's row once per hypothesis after step 0;
            # constants are the same for all of an example's hypotheses, so they are
            # repeated once here and never reordered
            rows = last.size(0)
            if rows not in by_rows:
                by_rows[rows] = {
                    k: v.repeat_interleave(rows // batch, dim=0) for k, v in constants.items()
                }
            return decode(last, state, timestep, by_rows[rows])

        predictions, _ = search.search(start, state, step)
        best = predictions[:, 0].tolist()
        return [ids[: ids.index(self.end_index)] if self.end_index in ids else ids for ids in best]

    def _ids_to_words(self, ids: list[int], source_words: list[str]) -> list[str]:
        words = []
        for index in ids:
            if index >= self.vocab_size:
                words.append(source_words[index - self.vocab_size])
            else:
                words.append(self.vocab.get_token_from_index(index, self.target_namespace))
        return words

    # ---- metrics --------------------------------------------------------------------------
    def get_metrics(self, reset: bool = False) -> dict[str, float]:
        metrics: dict[str, float] = {}
        deca_score = 0.0
        headline_count = 0
        # task metrics need decoding, which only runs outside training: report them only
        # when they have seen predictions, rather than as zeros in the training progress bar
        for name, spec in self.tasks.items():
            if spec.metric is None or name not in self._scored_tasks:
                continue
            values = spec.metric.get_metric(reset)
            if not isinstance(values, dict):
                values = {"score": values}
            for key, value in values.items():
                metrics[f"{name}_{key}"] = float(value)
            if spec.headline and spec.headline in values:
                deca_score += 100.0 * float(values[spec.headline])
                headline_count += 1
        if headline_count:
            metrics["decaScore"] = deca_score
        if reset:
            self._scored_tasks.clear()
        return metrics
