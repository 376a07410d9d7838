"""SQuAD nF1/EM, exact match and ROUGE: hand-checked cases and the reference implementations."""

import re
import string
from collections import Counter

import pytest
from allennlp.training.metrics import Metric

from multitask.metrics.rouge import Rouge
from multitask.metrics.text_metrics import (
    ExactMatch,
    SquadMetric,
    exact_match_score,
    f1_score,
    normalize_answer,
)


# ---- the official SQuAD v1.1 evaluate-v1.1.py functions, verbatim in substance ----------------
def official_normalize_answer(s):
    def remove_articles(text):
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


def official_f1(prediction, ground_truth):
    prediction_tokens = official_normalize_answer(prediction).split()
    ground_truth_tokens = official_normalize_answer(ground_truth).split()
    common = Counter(prediction_tokens) & Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)


PAIRS = [
    ("The Eiffel Tower!", "eiffel tower"),
    ("the eiffel tower in paris", "Eiffel Tower"),
    ("U.S.A.", "usa"),
    ("A cat and an apple", "cat and apple"),
    ("theater", "the ater"),
    ("", "something"),
    ("  spaced\tout\n", "spaced out"),
    ("l'été", "lété"),
]


@pytest.mark.parametrize("prediction, gold", PAIRS)
def test_agrees_with_the_official_squad_functions(prediction, gold):
    assert normalize_answer(prediction) == official_normalize_answer(prediction)
    assert f1_score(prediction, gold) == pytest.approx(official_f1(prediction, gold))
    expected_em = official_normalize_answer(prediction) == official_normalize_answer(gold)
    assert exact_match_score(prediction, gold) == float(expected_em)


def test_hand_checked_normalisation():
    assert normalize_answer("The Eiffel Tower!") == "eiffel tower"
    assert normalize_answer("A cat and an apple") == "cat and apple"
    assert normalize_answer("theater") == "theater"  # "the" only as a whole word


def test_squad_metric_hand_checked_cases_accumulate_and_reset():
    metric = SquadMetric()
    metric(
        ["The Eiffel Tower!", "the eiffel tower in paris"],
        ["eiffel tower", ["Eiffel Tower"]],
    )
    # 1: EM 1, F1 1.  2: pred {eiffel, tower, in, paris}, gold {eiffel, tower}:
    #    P = 2/4, R = 2/2, F1 = 2 * 0.5 * 1 / 1.5 = 2/3, EM 0.
    assert metric.get_metric() == pytest.approx({"nF1": (1 + 2 / 3) / 2, "EM": 0.5})
    # 3: pred {old, bridge}; gold 1 {new, bridge}: P = R = 1/2, F1 0.5;
    #    gold 2 {old, stone, bridge}: P = 1, R = 2/3, F1 = 0.8 -> best 0.8, EM 0.
    metric(["an old bridge"], [["the new bridge", "old stone bridge"]])
    values = metric.get_metric(reset=True)
    assert values == pytest.approx({"nF1": (1 + 2 / 3 + 0.8) / 3, "EM": 1 / 3})
    assert metric.get_metric() == {"nF1": 0.0, "EM": 0.0}


def test_squad_metric_unanswerable_and_empty_gold():
    metric = SquadMetric()
    metric(["unanswerable", "unanswerable", None], [["unanswerable"], ["1889"], []])
    # 1 exact; 2 nothing shared; 3 no prediction vs no gold: F1 0 as in SQuAD v1.1, EM 1
    assert metric.get_metric() == pytest.approx({"nF1": 1 / 3, "EM": 2 / 3})


def test_squad_metric_rejects_mismatched_batches():
    with pytest.raises(ValueError, match="2 predictions for 1 gold"):
        SquadMetric()(["a", "b"], ["a"])


def test_exact_match_for_nli_labels():
    metric = ExactMatch()
    metric(["entailment", "neutral"], ["entailment", "contradiction"])
    metric(["Contradiction ."], ["contradiction"])
    assert metric.get_metric(reset=True) == pytest.approx({"EM": 2 / 3})
    assert metric.get_metric() == {"EM": 0.0}


SUMMARIES = [
    ("council votes for a new bridge .", "Council votes for a new bridge. Work starts in spring."),
    ("the museum reopened", "Museum reopens after two years of repairs."),
    ("storms hit the coast on monday", "A storm hits the coast."),
]


def test_rouge_equals_rouge_score_directly():
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    expected = {"ROUGE-1": 0.0, "ROUGE-2": 0.0, "ROUGE-L": 0.0}
    for prediction, reference in SUMMARIES:
        scores = scorer.score(reference, prediction)
        expected["ROUGE-1"] += scores["rouge1"].fmeasure / len(SUMMARIES)
        expected["ROUGE-2"] += scores["rouge2"].fmeasure / len(SUMMARIES)
        expected["ROUGE-L"] += scores["rougeL"].fmeasure / len(SUMMARIES)
    expected["avg"] = sum(expected.values()) / 3

    metric = Rouge()
    metric([p for p, _ in SUMMARIES[:2]], [r for _, r in SUMMARIES[:2]])  # two calls
    metric([SUMMARIES[2][0]], [SUMMARIES[2][1]])
    values = metric.get_metric(reset=True)
    assert values == pytest.approx(expected)
    assert all(0.0 <= value <= 1.0 for value in values.values())
    assert 0 < values["ROUGE-2"] < values["ROUGE-1"]
    assert metric.get_metric() == dict.fromkeys(expected, 0.0)


def test_rouge_stemming_and_several_references():
    from rouge_score import rouge_scorer

    metric = Rouge()
    metric(["storms hit coasts"], ["A storm hits the coast."])
    # stemmed: {storm, hit, coast} vs {a, storm, hit, the, coast} (no stop-word removal):
    # P = 3/3, R = 3/5, F = 2 * 1 * 0.6 / 1.6 = 0.75
    assert metric.get_metric(reset=True)["ROUGE-1"] == pytest.approx(0.75)
    references = ["the cat sat", "a dog ran home"]
    metric(["dog ran home"], [references])
    best = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True).score_multi(
        references, "dog ran home"
    )
    assert metric.get_metric()["ROUGE-L"] == pytest.approx(best["rougeL"].fmeasure)


@pytest.mark.parametrize(
    "name, cls",
    [("decanlp_squad", SquadMetric), ("decanlp_exact_match", ExactMatch), ("decanlp_rouge", Rouge)],
)
def test_registered(name, cls):
    assert Metric.by_name(name) is cls
