"""Abstract continuation: domain language-model pre-training framed as QA.

"What comes next?", with the title and the first part of an abstract as context and the
words that follow as the answer. Trained on every abstract of the default corpus, this is
generative pre-training (GPT, ULMFiT) of the whole MQAN on in-domain text: the decoder
learns to write biomedical English word by word (generating or copying), and the encoder
learns to read abstracts for it, before any MeSH heading is seen
(`training_configs/mesh_lm_pretrain.jsonnet`, then `mesh_mqan_pretrained.jsonnet`).
Where each abstract is cut is fixed by its PMID, so every epoch and every run reads the
same pairs.
"""

import logging
import zlib
from typing import Optional

from allennlp.data import DatasetReader, Instance

from multitask.held_out_questions import PredictionInputs
from multitask.qa.example import QAExample
from multitask.qa.instance_builder import QAInstanceBuilder
from tasks.pubmed.article import Article
from tasks.pubmed.article_reader import ArticleTaskReader
from tasks.pubmed.prediction_inputs import ArticleInputs

logger = logging.getLogger(__name__)

QUESTION = "What comes next?"


def cut_point(key: str, words: int, low: float, high: float) -> int:
    """Where to cut ``words`` words: a fraction in [low, high), fixed by ``key``."""
    fraction = low + (high - low) * (zlib.crc32(key.encode("utf-8")) % 10_000) / 10_000
    return max(1, int(words * fraction))


@DatasetReader.register("abstract_continuation")
class AbstractContinuationReader(ArticleTaskReader):
    """Each abstract with at least ``min_words`` words gives one example.

    # Parameters

    task_name : `str`, optional (default = `"language_model"`)
    question : `str`, optional
    answer_words : `int`, optional (default = `30`)
        Words of the continuation to predict.
    min_words : `int`, optional (default = `40`)
        Shorter abstracts are skipped (and counted).
    cut_range : `tuple[float, float]`, optional (default = `(0.3, 0.7)`)
        The cut falls between these fractions of the abstract.
    builder : `QAInstanceBuilder`, optional
    """

    prediction_fields = ("abstractText",)

    def __init__(
        self,
        task_name: str = "language_model",
        question: str = QUESTION,
        answer_words: int = 30,
        min_words: int = 40,
        cut_range: tuple[float, float] = (0.3, 0.7),
        builder: Optional[QAInstanceBuilder] = None,
        **kwargs,
    ) -> None:
        super().__init__(task_name, question, builder, **kwargs)
        low, high = cut_range
        if not 0.0 < low <= high < 1.0:
            raise ValueError(f"cut_range must satisfy 0 < low <= high < 1, got {cut_range}")
        if answer_words < 1:
            raise ValueError(f"answer_words must be at least 1, got {answer_words}")
        self.answer_words = answer_words
        self.min_words = min_words
        self.cut_range = (low, high)

    def make_example(
        self, abstract: str, title: Optional[str], pmid: Optional[str]
    ) -> Optional[QAExample]:
        """None when the abstract is shorter than ``min_words``."""
        words = abstract.split()
        if len(words) < self.min_words:
            return None
        cut = cut_point(pmid or abstract, len(words), *self.cut_range)
        answer = " ".join(words[cut : cut + self.answer_words])
        context = " ".join(part for part in (title, " ".join(words[:cut])) if part)
        return self.example(context, answer, pmid=pmid)

    def article_example(self, article: Article, file_path: str) -> QAExample | tuple[str, str]:
        example = self.make_example(article.abstract, article.title, article.pmid)
        if example is None:
            return (
                "shorter_than_min_words",
                f"{file_path}, PMID {article.pmid} (< {self.min_words})",
            )
        return example

    def text_to_instance(  # type: ignore[override]
        self,
        abstractText: str,  # noqa: N803 - BioASQ's field name
        title: Optional[str] = None,
        pmid: Optional[str] = None,
    ) -> Instance:
        """The continuation question of one abstract (cut where training cuts it)."""
        example = self.make_example(abstractText, title, pmid)
        if example is None:
            raise ValueError(
                f"the abstract has {len(abstractText.split())} words; abstract_continuation "
                f"needs at least min_words={self.min_words}"
            )
        return self.builder.build(example)


@PredictionInputs.register("abstract_continuation")
class ContinuationInputs(ArticleInputs):
    """Held-out questions: an abstract, and as gold the words after the cut the predictor
    makes (it gets the abstract alone, so the cut is fixed by the abstract, not the PMID)."""

    def gold(self, reader: DatasetReader, article: Article) -> Optional[str]:
        example = reader.make_example(article.abstract, None, None)  # type: ignore[attr-defined]
        return None if example is None else example.gold
