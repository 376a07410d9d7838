"""`allennlp prepare-corpus`: all or nothing, skips on request, one-line errors for bad
paths, URLs and silent servers, and no split that leaves training empty."""

import socket
import threading
import time
from contextlib import contextmanager

import pytest
from cli_runner import run_allennlp
from paths import MESH_MINI, MQAN_FIXTURES

ARTICLES = MQAN_FIXTURES / "mesh_articles.json"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = run_allennlp("prepare-corpus", *args)
    captured = capsys.readouterr()
    # progress bars redraw with "\r" on stderr: keep what a terminal shows last on each line
    err = "".join(line.rsplit("\r", 1)[-1] for line in captured.err.splitlines(keepends=True))
    return (
        code,
        captured.out,
        "".join(line for line in err.splitlines(keepends=True) if not line.startswith("articles:")),
    )


def snapshot(out):
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and "raw" not in p.parts
    }


def malformed_copy(tmp_path):
    """The fixture articles with the third one broken (a BioASQ file, one article a line)."""
    lines = ARTICLES.read_text().splitlines()
    lines[3] = '{"pmid": "9000003", "title": broken'
    path = tmp_path / "articles_with_a_bad_line.json"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def built(tmp_path, capsys):
    out = tmp_path / "data"
    code, stdout, stderr = run(capsys, "--out", out, "--bioasq", ARTICLES, "--mesh", MESH_MINI)
    assert code == 0, stderr
    assert "documents written: 8" in stdout
    return out


def test_a_run_builds_the_vocabulary_and_the_splits(built):
    assert (built / "mesh" / "descriptors.tsv").exists()
    assert {p.name for p in (built / "corpus").iterdir()} >= {"train.json", "test.json"}
    assert [p.name for p in built.iterdir() if p.name.startswith(".")] == []


def test_a_failed_run_leaves_the_previous_corpus_untouched(built, tmp_path, capsys):
    before = snapshot(built)
    other_mesh = tmp_path / "other_mesh.tsv"
    other_mesh.write_text(MESH_MINI.read_text().replace("Neoplasms", "Tumours"))
    code, _, stderr = run(
        capsys, "--out", built, "--bioasq", malformed_copy(tmp_path), "--mesh", other_mesh
    )
    assert code == 1
    assert stderr.startswith("error: ") and "line 4" in stderr
    assert stderr.count("\n") == 1, stderr
    assert snapshot(built) == before, "neither the new vocabulary nor a split was kept"
    assert [p.name for p in built.iterdir() if p.name.startswith(".")] == []


def test_on_error_skip_counts_the_bad_record_in_the_summary(tmp_path, capsys):
    out = tmp_path / "data"
    code, stdout, stderr = run(
        capsys,
        "--out", out, "--bioasq", malformed_copy(tmp_path), "--mesh", MESH_MINI,
        "--on-error", "skip",
    )  # fmt: skip
    assert code == 0, stderr
    assert "documents written: 7" in stdout
    assert "bad_json 1" in stdout


def test_a_missing_input_path_is_one_line(tmp_path, capsys):
    code, _, stderr = run(capsys, "--out", tmp_path / "d", "--bioasq", tmp_path / "no.json")
    assert code == 1
    out = tmp_path / "d"
    assert stderr == f"error: {tmp_path / 'no.json'}: no such file or folder " + (
        f"({out / 'mesh'} and {out / 'corpus'} are unchanged)\n"
    )


def test_splits_that_leave_no_training_data_are_refused(tmp_path, capsys):
    code, _, stderr = run(
        capsys, "--out", tmp_path, "--validation-percent", "90", "--test-percent", "90"
    )
    assert code == 2
    assert "validation percent 90 + test percent 90 leaves nothing for training" in stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_url_is_one_line_after_retries(tmp_path, capsys):
    url = f"http://127.0.0.1:{_free_port()}/desc2024.xml"
    code, _, stderr = run(capsys, "--out", tmp_path, "--mesh", url, "--download-attempts", "2")
    assert code == 1
    assert stderr.startswith(f"error: cannot download {url}: connection refused (gave up after 2")
    assert stderr.count("\n") == 1


@contextmanager
def silent_server(headers_only: bool = False):
    """A local server that accepts and then never answers (or sends headers, then stalls)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        held = []
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            held.append(connection)
            if headers_only:
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        for connection in held:
            connection.close()

    worker = threading.Thread(target=serve, daemon=True)
    worker.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/allMeSH_2022.json"
    finally:
        stop.set()
        worker.join(5)
        listener.close()


def test_a_server_that_never_answers_times_out_in_one_line(tmp_path, capsys):
    with silent_server() as url:
        started = time.monotonic()
        code, _, stderr = run(capsys, "--out", tmp_path, "--bioasq", url, "--download-timeout", "2")
    assert time.monotonic() - started < 15
    assert code == 1
    assert stderr.startswith(f"error: cannot download {url}: ")
    assert "time limit 2 s" in stderr and stderr.count("\n") == 1
    assert not list((tmp_path / "raw").glob("*"))


def test_a_stall_mid_body_cannot_outlast_the_total_time_limit(tmp_path):
    from multitask.data.download import DownloadError, DownloadPolicy, download

    with silent_server(headers_only=True) as url:  # each read may wait 30 s: the limit is 2
        started = time.monotonic()
        with pytest.raises(DownloadError, match="no complete answer within the time limit"):
            download(url, tmp_path / "x.json", DownloadPolicy(total_seconds=2, read_seconds=30))
    assert time.monotonic() - started < 10


def test_all_keeps_articles_without_headings_in_the_same_pmid_buckets(tmp_path, capsys):
    from tasks.pubmed.corpus import ReadStats, read_articles
    from tasks.pubmed.split import split_of

    lines = ARTICLES.read_text().splitlines()
    unlabelled = [
        f'{{"journal": null, "meshMajor": [], "year": null, "pmid": "{n}", '
        f'"title": "An unindexed study {n}", "abstractText": "Text of study {n}."}},'
        for n in range(9100000, 9100040)
    ]
    no_abstract = '{"meshMajor": [], "pmid": "9200000", "title": "T", "abstractText": ""},'
    path = tmp_path / "with_unlabelled.json"
    path.write_text("\n".join([lines[0], no_abstract, *unlabelled, *lines[1:]]) + "\n")
    out = tmp_path / "data"
    code, stdout, stderr = run(capsys, "--out", out, "--bioasq", path, "--mesh", MESH_MINI)
    assert code == 0, stderr
    assert "documents written: 8" in stdout  # the labelled splits are as before
    assert "no_mesh 40" in stdout and "no_abstract 1" in stdout

    def pmids(file):
        return {a.pmid for a in read_articles(file, stats=ReadStats(), require_mesh=False)}

    everything = set()
    for split in ("train", "validation", "test"):
        in_all = pmids(out / "corpus" / "all" / f"{split}.json")
        assert all(split_of(pmid) == split for pmid in in_all)
        assert pmids(out / "corpus" / f"{split}.json") <= in_all
        everything |= in_all
    assert {str(n) for n in range(9100000, 9100040)} <= everything
    assert len(everything) == 48 and "9200000" not in everything
