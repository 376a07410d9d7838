"""Example articles for the web page: the first few articles of a corpus file (by default
the default corpus's test split, which no model was trained on), each with the headings its
indexers gave, so that a visitor can compare the suggestions with a real indexing."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from tasks.pubmed.corpus import read_articles

DEFAULT_EXAMPLES = 8


def read_examples(path: Path, count: int = DEFAULT_EXAMPLES) -> list[dict[str, Any]]:
    """``count`` articles with a title, an abstract and headings, in file order."""
    articles = itertools.islice(read_articles(str(path), on_error="skip"), count)
    return [
        {
            "pmid": article.pmid,
            "title": article.title,
            "abstract": article.abstract,
            "headings": [
                {"ui": ui, "label": name} for ui, name in zip(article.mesh_uis, article.mesh_names)
            ],
        }
        for article in articles
    ]
