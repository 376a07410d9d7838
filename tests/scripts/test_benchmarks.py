"""The benchmark scripts (scripts/benchmarks/) run end to end on the tiny fixtures and write
their JSON."""

import json
import subprocess
import sys

import pytest
from paths import MQAN_FIXTURES, PROJECT_ROOT


def run_script(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


@pytest.mark.slow
def test_bench_train_reports_flops_and_mfu(tmp_path):
    output = tmp_path / "train.json"
    run_script(
        "scripts/benchmarks/bench_train.py",
        str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet"),
        "--batches", "2", "--warmup", "0", "--runs", "1", "--threads", "1",
        "--reader-instances", "4", "--output", str(output),
    )  # fmt: skip
    result = json.loads(output.read_text())
    assert result["abstracts"] == 8 and result["tokens"] > 0
    assert result["flops_per_batch"] > result["recurrent_flops_per_batch"] > 0
    assert 0 < result["median"]["MFU"] < 1
    assert result["reader_instances_per_second"] > 0


@pytest.mark.slow
def test_bench_predict_reports_throughput_and_latency(tiny_archive, tmp_path):
    output = tmp_path / "predict.json"
    run_script(
        "scripts/benchmarks/bench_predict.py", str(tiny_archive),
        str(MQAN_FIXTURES / "mesh_articles.json"),
        "--abstracts", "6", "--batch-sizes", "3", "--beam-sizes", "1", "2",
        "--latency-samples", "2", "--runs", "1", "--threads", "1", "--output", str(output),
    )  # fmt: skip
    result = json.loads(output.read_text())
    modes = [row["mode"] for row in result["medians"]]
    assert modes == ["batch 3, beam 1", "batch 3, beam 2", "single abstract, beam 1"]
    assert all(row["abstracts/s"] > 0 for row in result["medians"])
    assert result["medians"][-1]["p95 ms"] >= result["medians"][-1]["p50 ms"] > 0


@pytest.mark.slow
def test_bench_serve_loads_a_real_server_and_compares_with_the_batched_rate(tiny_archive, tmp_path):
    output = tmp_path / "serve.json"
    run_script(
        "scripts/benchmarks/bench_serve.py", str(tiny_archive),
        str(MQAN_FIXTURES / "mesh_articles.json"),
        "--concurrency", "1", "4", "--requests", "8", "--batch-size", "4", "--runs", "1",
        "--max-batch-size", "4", "--threads", "1", "--output", str(output),
    )  # fmt: skip
    result = json.loads(output.read_text())
    assert [level["concurrency"] for level in result["levels"]] == [1, 4]
    for level in result["levels"]:
        assert level["errors"] == 0 and level["requests"] == 8
        assert level["p99 ms"] >= level["p95 ms"] >= level["p50 ms"] > 0
        assert level["x batched"] > 0
    assert result["batched"]["abstracts/s"] > 0
    assert result["rss_after_mb"] > 500 and result["exit_status"] == 0


@pytest.mark.slow
def test_bench_scale_builds_reads_and_trains_at_each_size(tmp_path):
    output = tmp_path / "scale.json"
    run_script(
        "scripts/benchmarks/bench_scale.py",
        "--config", str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet"),
        "--source", str(MQAN_FIXTURES / "mesh_articles.json"),
        "--sizes", "60", "120", "--read-instances", "20", "--train-batches", "2",
        "--max-instances-in-memory", "8", "--threads", "1", "--runs", "1",
        "--work", str(tmp_path / "work"), "--output", str(output),
    )  # fmt: skip
    rows = json.loads(output.read_text())["rows"]
    assert [row["articles"] for row in rows] == [60, 120]
    for row in rows:
        assert row["build s"] > 0 and row["out-of-fold MiB"] > 0 and 0 < row["recall"] <= 1
        assert row["read/s disk"] > 0 and row["read/s memory"] > 0
        assert row["train/s disk"] > 0 and row["train RSS MiB memory"] > 0
    # the out-of-fold lists grow with the corpus
    assert rows[1]["out-of-fold MiB"] > rows[0]["out-of-fold MiB"]
