"""Held-out MeSH questions for `allennlp held-out-questions`: an article's BioASQ fields,
and its headings as gold (the reader builds the question, with retrieved candidates, from
those fields, so its examples cannot be written as ``context`` and ``question``)."""

from __future__ import annotations

from allennlp.data import DatasetReader

from multitask.held_out_questions import PredictionInputs
from tasks.mesh_indexing.reader import TASK
from tasks.pubmed.article import Article
from tasks.pubmed.prediction_inputs import ArticleInputs


@PredictionInputs.register(TASK)
class MeshInputs(ArticleInputs):
    def gold(self, reader: DatasetReader, article: Article) -> list[str]:
        return list(article.mesh_names)
