"""Suggesters: every way this project proposes scored MeSH headings for a text, behind one
interface (:class:`Suggester`: fit, suggest, save / load without pickle, registered by name)
and one limit / threshold tuner (:mod:`.tuning`).

The MQAN reader's candidate retriever is a suggester (decaNLP poses a choice by listing the
options in the question; here the options are the descriptors a fast suggester proposes),
and so are the baselines the comparison scores and a trained MQAN archive.
"""

from tasks.mesh_indexing.suggesters.annif_peer import AnnifSuggester
from tasks.mesh_indexing.suggesters.archive import MqanArchiveSuggester
from tasks.mesh_indexing.suggesters.base import Suggester, Suggestion
from tasks.mesh_indexing.suggesters.ensemble import EnsembleSuggester
from tasks.mesh_indexing.suggesters.frequency import FrequencySuggester
from tasks.mesh_indexing.suggesters.fusion import LearnedFusionSuggester
from tasks.mesh_indexing.suggesters.knn import TfidfKnnSuggester
from tasks.mesh_indexing.suggesters.lexical import LexicalSuggester
from tasks.mesh_indexing.suggesters.linear import TfidfLinearSuggester
from tasks.mesh_indexing.suggesters.omikuji import TfidfOmikujiSuggester, omikuji_available
from tasks.mesh_indexing.suggesters.tuning import Selection, Tuned, tune

__all__ = [
    "AnnifSuggester",
    "EnsembleSuggester",
    "FrequencySuggester",
    "LearnedFusionSuggester",
    "LexicalSuggester",
    "MqanArchiveSuggester",
    "Selection",
    "Suggester",
    "Suggestion",
    "TfidfKnnSuggester",
    "TfidfLinearSuggester",
    "TfidfOmikujiSuggester",
    "Tuned",
    "omikuji_available",
    "tune",
]
