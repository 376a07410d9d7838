"""`allennlp evaluate-tasks`: every task of a tiny multi-task archive scored on its own
held-out file, per-task metrics and the decaScore as JSON; single-file tasks read their
held-out part; bad task names and files are one-line errors. `allennlp held-out-questions`:
every task's questions in the form `multitask_qa` takes."""

import json

import pytest
from cli_runner import run_allennlp
from paths import MESH_MINI, MQAN_FIXTURES, PROJECT_ROOT
from test_configs import TINY_MODEL, train_config

from multitask.errors import UserInputError
from multitask.held_out_questions import QAExampleInputs, prediction_inputs_for
from tasks.nli import NLIReader
from tasks.title_generation import TitleGenerationReader, TitleInputs

MESH = str(MQAN_FIXTURES / "mesh_articles.json")
SNLI = str(PROJECT_ROOT / "tests" / "fixtures" / "tasks" / "snli.jsonl")
NLI_READER = {"type": "decanlp_nli", "split_part": "train", "held_out_percent": 50}


def flatten(settings: dict, prefix: str) -> dict:
    flat = {}
    for key, value in settings.items():
        if isinstance(value, dict) and key != "retriever":
            flat.update(flatten(value, f"{prefix}.{key}"))
        else:
            flat[f"{prefix}.{key}"] = value
    return flat


def tiny_overrides(cache_dir: str) -> dict:
    paths = {"mesh_indexing": MESH, "title_generation": MESH, "nli": SNLI}
    mesh_reader = {
        "mesh_file": str(MESH_MINI),
        "label_frequency_file": MESH,
        "builder": {"max_context_tokens": 40, "max_question_tokens": 60},
        "candidates": {
            "train_file": MESH,
            "cache_dir": cache_dir,
            "folds": 2,
            "top_k": 6,
            "eval_top_k": 6,
            "retriever": {"type": "tfidf_knn", "neighbours": 3, "tfidf": {"min_df": 1}},
        },
    }
    readers = {}
    for reader in ("dataset_reader", "validation_dataset_reader"):
        # dotted keys change single settings; a dict value would replace the whole reader
        readers.update(flatten(mesh_reader, f"{reader}.readers.mesh_indexing"))
        readers[f"{reader}.readers.nli"] = NLI_READER
    return {
        **readers,
        "train_data_path": paths,
        "validation_data_path": paths,
        "vocabulary.min_count": {},
        **TINY_MODEL,
        "model.label_scorer.dim": 16,
        "model.label_scorer.candidate_features": 5,  # kNN score + 4 match features
        "model.tasks.mesh_indexing.decoding.mesh_file": str(MESH_MINI),
        "model.tasks.nli": {"metric": {"type": "decanlp_exact_match"}, "headline": "EM"},
        "data_loader.scheduler.batch_size": 4,
        "validation_data_loader.scheduler.batch_size": 4,
        "trainer.num_epochs": 1,
        "trainer.learning_rate_scheduler.warmup_steps": 1,
        "trainer.callbacks": [{"type": "tune_label_selection"}],
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mesh_title")
    overrides = tiny_overrides(str(folder / "candidates"))
    return train_config("mesh_title_mqan.jsonnet", folder / "run", overrides) / "model.tar.gz"


def run(capsys, *args) -> tuple[int, str, str]:
    code = run_allennlp("evaluate-tasks", *args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_task_is_scored_and_deca_score_is_the_sum(archive, tmp_path, capsys):
    out = tmp_path / "metrics.json"
    code, stdout, stderr = run(
        capsys,
        archive,
        f"mesh_indexing={MESH}",
        f"title_generation={MESH}",
        f"nli={SNLI}",
        "--output-file",
        out,
    )
    assert code == 0, stderr
    result = json.loads(out.read_text())
    tasks = result["tasks"]
    assert set(tasks) == {"mesh_indexing", "title_generation", "nli"}
    assert {"MiF", "EBF"} <= set(tasks["mesh_indexing"]["metrics"])
    assert {"ROUGE-1", "ROUGE-2", "ROUGE-L", "avg"} <= set(tasks["title_generation"]["metrics"])
    assert tasks["mesh_indexing"]["instances"] == 8
    for row in tasks.values():
        assert row["score"] == pytest.approx(100 * row["metrics"][row["headline"]])
    assert result["decaScore"] == pytest.approx(sum(row["score"] for row in tasks.values()))
    assert "| mesh_indexing |" in stdout and "decaScore" in stdout


def test_a_single_file_task_is_scored_on_its_held_out_part_only(archive, tmp_path, capsys):
    out = tmp_path / "nli.json"
    code, _, stderr = run(capsys, archive, f"nli={SNLI}", "--output-file", out)
    assert code == 0, stderr
    row = json.loads(out.read_text())["tasks"]["nli"]
    assert row["part"].startswith("held_out part")
    held_out = NLIReader(split_part="held_out", held_out_percent=50).read(SNLI)
    assert row["instances"] == len(list(held_out)) == 1
    result = json.loads(out.read_text())
    assert result["tasks_not_scored"] == ["mesh_indexing", "title_generation"]


@pytest.mark.parametrize(
    "pair, message",
    [
        (f"squad={MESH}", "unknown task(s) ['squad']: this archive knows"),
        ("mesh_indexing=/no/such/file.json", "mesh_indexing: no such file"),
        ("mesh_indexing", "expected TASK=FILE"),
    ],
)
def test_bad_pairs_are_one_line_errors(archive, capsys, pair, message):
    code, _, stderr = run(capsys, archive, pair)
    assert code == 1
    assert stderr.startswith("error: ") and message in stderr
    assert stderr.count("\n") == 1


def test_held_out_questions_of_every_task_are_answered_by_multitask_qa(archive, tmp_path):
    from allennlp.predictors import Predictor

    questions = tmp_path / "questions.jsonl"
    pairs = [f"mesh_indexing={MESH}", f"title_generation={MESH}", f"nli={SNLI}"]
    code = run_allennlp(
        "held-out-questions", archive, *pairs, "--per-task", 2, "--output", questions
    )
    assert code == 0
    lines = [json.loads(line) for line in questions.read_text().splitlines()]
    assert [line["task"] for line in lines] == ["mesh_indexing"] * 2 + ["title_generation"] * 2 + [
        "nli"
    ]  # one NLI pair in the held-out half of the two-pair fixture
    assert set(lines[0]) == {"task", "pmid", "title", "abstractText", "gold"}
    assert set(lines[2]) == {"task", "abstractText", "gold"}
    assert set(lines[4]) == {"task", "context", "question", "gold"}
    predictor = Predictor.from_path(archive, "multitask_qa")
    answers = predictor.predict_batch_json([dict(line) for line in lines])
    assert [a["task"] for a in answers] == [line["task"] for line in lines]
    assert all("labels" in a["answer"] for a in answers[:2])  # MeSH: descriptors with UIs
    assert all(isinstance(a["answer"], str) for a in answers[2:])


def test_the_whole_file_is_scored_whatever_the_validation_reader_capped(archive, tmp_path, capsys):
    capped = '{"validation_dataset_reader.readers.title_generation.max_instances": 2}'
    out = tmp_path / "titles.json"
    code, _, stderr = run(
        capsys, archive, f"title_generation={MESH}", "-o", capped, "--output-file", out
    )
    assert code == 0, stderr
    assert json.loads(out.read_text())["tasks"]["title_generation"]["instances"] == 8
    code, _, stderr = run(
        capsys, archive, f"title_generation={MESH}", "--max-instances", "3", "--output-file", out
    )
    assert code == 0, stderr
    assert json.loads(out.read_text())["tasks"]["title_generation"]["instances"] == 3


def test_multitask_qa_names_the_fields_of_a_plain_task(archive):
    from allennlp.predictors import Predictor

    predictor = Predictor.from_path(archive, "multitask_qa")
    with pytest.raises(
        Exception, match=r"missing field question \(task nli takes context, question\)"
    ):
        predictor.predict_json({"task": "nli", "context": "Premise: a man plays."})


def test_a_task_that_builds_its_own_question_needs_registered_inputs():
    assert isinstance(prediction_inputs_for("nli", NLIReader()), QAExampleInputs)
    assert isinstance(prediction_inputs_for("titles", TitleGenerationReader()), TitleInputs)

    class OwnQuestionReader(NLIReader):  # not registered: nothing says how to write its inputs
        prediction_fields = ("abstractText",)

    with pytest.raises(UserInputError, match="builds its own question from abstractText"):
        prediction_inputs_for("own", OwnQuestionReader())


def test_article_questions_carry_the_gold_their_predictor_input_asks_for():
    from tasks.continuation import AbstractContinuationReader, ContinuationInputs

    reader = AbstractContinuationReader(min_words=5, answer_words=3)
    rows = list(prediction_inputs_for("lm", reader).inputs("lm", reader, MESH))
    assert isinstance(prediction_inputs_for("lm", reader), ContinuationInputs) and rows
    for row in rows:
        assert set(row) == {"task", "abstractText", "gold"}
        # what `multitask_qa` builds from this line (the abstract alone) has this gold
        instance = reader.text_to_instance(abstractText=row["abstractText"])
        assert instance["metadata"].metadata["gold"] == row["gold"]
    titles = list(TitleInputs().inputs("t", TitleGenerationReader(), MESH))
    assert titles and all(
        row["gold"] and set(row) == {"task", "abstractText", "gold"} for row in titles
    )
