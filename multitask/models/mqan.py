"""MQAN, the Multitask Question Answering Network (McCann et al. 2018, "The Natural Language
Decathlon: Multitask Learning as Question Answering"), as one AllenNLP model for every task.
"""

import logging
from typing import Any, Optional

import torch
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.modules import TextFieldEmbedder
from allennlp.nn import util
from allennlp.nn.beam_search import BeamSearch
from torch import nn

from multitask.decoding.greedy import greedy_search
from multitask.models.task_spec import TaskSpec
from multitask.modules.decoder import MQANDecoder, QADecoder
from multitask.modules.encoder import EncodedQA, MQANEncoder, QAEncoder
from multitask.modules.pointer_generator import MultiPointerGenerator, extended_ids
from multitask.qa.instance_builder import END_SYMBOL, START_SYMBOL, TARGET_NAMESPACE

logger = logging.getLogger(__name__)


@Model.register("mqan")
class MQAN(Model):
    """Embeddings projected to ``dim`` -> QA encoder -> QA decoder -> multi-pointer-generator.

    One set of parameters serves every task: the task only changes how decoding is
    constrained, how the answer is post-processed and which metric scores it (``tasks``).
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
        **kwargs,
    ) -> None:
        super().__init__(vocab, **kwargs)
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
    ) -> dict[str, Any]:
        encoded = self._encode(context, question)
        context_ext = extended_ids(
            context_to_target, context_source_ids, self.vocab_size, self.unk_index
        )
        question_ext = extended_ids(
            question_to_target, question_source_ids, self.vocab_size, self.unk_index
        )
        output: dict[str, Any] = {}
        if answer is not None:
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
            per_instance = -(log_probs * target_mask).sum(1) / target_mask.sum(1).clamp(min=1.0)
            output["loss"] = per_instance.mean()
        if not self.training:
            output.update(self._decode_by_task(encoded, context_ext, question_ext, task, metadata))
        return output

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
        self, encoded, context_ext, question_ext, tasks, metadata
    ) -> dict[str, Any]:
        batch = len(tasks)
        tokens: list[list[str]] = [[] for _ in range(batch)]
        answers: list[Any] = [None] * batch
        for task in dict.fromkeys(tasks):
            rows = torch.tensor(
                [i for i, t in enumerate(tasks) if t == task], device=context_ext.device
            )
            sub = EncodedQA(**{k: v.index_select(0, rows) for k, v in vars(encoded).items()})
            predictions = self._search(
                sub, context_ext.index_select(0, rows), question_ext.index_select(0, rows), task
            )
            decoding = self._spec(task).decoding
            for row, ids in zip(rows.tolist(), predictions):
                words = self._ids_to_words(ids, metadata[row]["source_words"])
                tokens[row] = words
                answers[row] = decoding.postprocess(words)
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
