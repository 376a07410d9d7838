from collections import Counter

import pytest

from multitask.data.schedulers import AntiCurriculumScheduler, ProportionalScheduler


def epoch(**sizes: int) -> dict[str, list[str]]:
    return {task: [f"{task}{i}" for i in range(n)] for task, n in sizes.items()}


def task_of(batch: list[str]) -> str:
    tasks = {item.rstrip("0123456789") for item in batch}
    assert len(tasks) == 1, "batches must be homogeneous"
    return tasks.pop()


def test_proportional_spreads_tasks_by_size_and_counts_exactly():
    scheduler = ProportionalScheduler(batch_size=2)
    data = epoch(big=16, small=4)
    batches = list(scheduler.batch_instances(data))
    assert len(batches) == scheduler.count_batches({"big": 16, "small": 4}) == 10
    order = [task_of(b) for b in batches]
    assert Counter(order) == {"big": 8, "small": 2}
    # the small task is spread out: one in each half of the epoch
    assert order[:5].count("small") == 1 and order[5:].count("small") == 1


def test_anti_curriculum_runs_the_first_task_alone_then_all():
    scheduler = AntiCurriculumScheduler(batch_size=2, first_task="squad", first_task_batches=5)
    counts = {"squad": 6, "nli": 4}
    first = epoch(squad=6, nli=4)
    assert scheduler.count_batches(counts) == 3
    assert [task_of(b) for b in scheduler.batch_instances(first)] == ["squad"] * 3
    assert scheduler.count_batches(counts) == 2  # 2 first-phase batches left
    second = list(scheduler.batch_instances(epoch(squad=6, nli=4)))
    assert [task_of(b) for b in second] == ["squad", "squad"]
    assert scheduler.count_batches(counts) == 5
    third = [task_of(b) for b in scheduler.batch_instances(epoch(squad=6, nli=4))]
    assert Counter(third) == {"squad": 3, "nli": 2}


def test_anti_curriculum_names_an_unknown_first_task():
    scheduler = AntiCurriculumScheduler(batch_size=2, first_task="squad", first_task_batches=1)
    with pytest.raises(ValueError, match="first_task 'squad'"):
        scheduler.count_batches({"nli": 4})
