"""Streaming corpus readers (MEDLINE XML, BioASQ JSON, MEDLINE text, JSON Lines) and
writers; every reader yields :class:`~tasks.pubmed.article.Article` and counts what it
read, kept and skipped in a :class:`ReadStats`."""

from multitask.data.read_stats import ReadStats
from tasks.pubmed.corpus.bioasq_json import iter_bioasq_json
from tasks.pubmed.corpus.jsonl import iter_jsonl
from tasks.pubmed.corpus.medline_text import iter_medline_text
from tasks.pubmed.corpus.medline_xml import iter_medline_xml
from tasks.pubmed.corpus.reader import READERS, detect_format, read_articles
from tasks.pubmed.corpus.writers import BioasqJsonWriter, write_bioasq_json, write_jsonl

__all__ = [
    "READERS",
    "BioasqJsonWriter",
    "ReadStats",
    "detect_format",
    "iter_bioasq_json",
    "iter_jsonl",
    "iter_medline_text",
    "iter_medline_xml",
    "read_articles",
    "write_bioasq_json",
    "write_jsonl",
]
