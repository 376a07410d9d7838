"""The synthetic corpus of bench_scale keeps the source's heading statistics and grows its
vocabulary with its size."""

import re

from paths import MQAN_FIXTURES

from multitask.data.read_stats import ReadStats
from tasks.mesh_indexing.scale_bench import FIRST_PMID, synthesize_scaled_corpus
from tasks.pubmed.corpus import read_articles

SOURCE = MQAN_FIXTURES / "mesh_articles.json"


def test_synthetic_articles_copy_real_heading_sets_under_new_pmids():
    originals = list(read_articles(SOURCE, stats=ReadStats()))
    real_sets = {tuple(a.mesh_names) for a in originals}
    made = list(synthesize_scaled_corpus(SOURCE, 300, seed=1))
    assert len(made) == 300
    assert {tuple(a.mesh_names) for a in made} <= real_sets
    assert len({tuple(a.mesh_names) for a in made}) == len(real_sets)  # every one is drawn
    assert [a.pmid for a in made] == [str(FIRST_PMID + i) for i in range(300)]
    assert all(a.abstract and a.title for a in made)
    # deterministic for a seed, different for another
    again = list(synthesize_scaled_corpus(SOURCE, 300, seed=1))
    assert [a.abstract for a in again] == [a.abstract for a in made]
    assert [a.abstract for a in synthesize_scaled_corpus(SOURCE, 300, seed=2)] != [
        a.abstract for a in made
    ]


def test_the_vocabulary_keeps_growing_with_the_corpus():
    def vocabulary(n):
        words = set()
        for article in synthesize_scaled_corpus(SOURCE, n, seed=0):
            words.update(re.findall(r"[a-z]+", article.abstract.lower()))
        return len(words)

    small, large = vocabulary(500), vocabulary(4000)
    # resampling alone would stop at the source's vocabulary; the long tail keeps adding
    assert large > small * 1.5
