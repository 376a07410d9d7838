"""`allennlp serve-mesh` as a client sees it: one real server process on 127.0.0.1 and a free
port, serving a tiny MQAN archive trained in the test, a saved frequency suggester and a test
suggester with a set delay (``sleepy_suggester``), spoken to by Annif's own client
(annif-client, from the package registry) and by raw HTTP.

The server starts once for the module (importing torch and AllenNLP takes most of its start
time), so the tests run in file order: the first sees it loading, the last stops it with
SIGTERM. Every wait is bounded.
"""

import json
import re
import signal
import socket
import threading
import time

import pytest
import requests
from annif_client import AnnifClient
from cli_runner import run_allennlp
from paths import MESH_MINI, MQAN_FIXTURES
from serving import PROBLEM, TIMEOUT, start_server
from sleepy_suggester import expected

from tasks.mesh_indexing.service.load_test import free_port
from tasks.mesh_indexing.suggesters import FrequencySuggester

pytestmark = pytest.mark.slow

SLEEPY_LABELS = ["D001943", "D005260", "D008297"]  # Breast Neoplasms, Female, Male
SLEEPY_SECONDS = 0.3
MAX_BATCH = 8


def article_texts() -> list[tuple[str, str]]:
    """(pmid, title + newline + abstract) of the predictor fixture's articles."""
    lines = (MQAN_FIXTURES / "predict_input.jsonl").read_text().splitlines()
    articles = [json.loads(line) for line in lines if line.strip()]
    return [(a["pmid"], f"{a['title']}\n{a['abstractText']}") for a in articles]


@pytest.fixture(scope="module")
def server(tiny_archive, tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    frequency = FrequencySuggester()
    frequency.fit(["a", "b", "c"], [["D001943", "D005260"], ["D005260"], ["D008297"]])
    frequency.save_to(folder / "frequency")
    gate, calls, log = folder / "gate", folder / "sleepy_calls.jsonl", folder / "server.log"
    sleepy = {
        "type": "test_sleepy",
        "labels": SLEEPY_LABELS,
        "seconds": SLEEPY_SECONDS,
        "gate": str(gate),
        "log": str(calls),
    }
    port = free_port()
    command = [
        "serve-mesh", "--include-package", "sleepy_suggester",
        # loaded in this order: the sleepy one first holds the loading until the gate opens
        "--project", f"sleepy={json.dumps(sleepy)}",
        "--project", f"tiny={tiny_archive},name=Tiny MQAN, for tests",
        "--project", f"frequency={folder / 'frequency'}",
        "--mesh-file", str(MESH_MINI),
        "--host", "127.0.0.1", "--port", str(port),
        "--max-batch-size", str(MAX_BATCH), "--max-wait-ms", "50",
        "--graceful-timeout", "20",
    ]  # fmt: skip
    running = start_server(command, log, gate=gate, calls=calls)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def ready_server(server):
    server.gate.touch()
    server.wait_for("/readyz", 200, seconds=120)
    return server


@pytest.fixture(scope="module")
def predictions(tiny_archive, tmp_path_factory):
    """What `allennlp predict --predictor mesh_indexer` gives for the fixture's articles, by
    PMID (run in this process while the server process starts)."""
    out = tmp_path_factory.mktemp("predict") / "labels.jsonl"
    status = run_allennlp(
        "predict", tiny_archive, MQAN_FIXTURES / "predict_input.jsonl",
        "--predictor", "mesh_indexer", "--output-file", out, "--silent",
    )  # fmt: skip
    assert status == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    # best first, as the archive suggester ranks them (a stable sort keeps the ties' order)
    return {line["pmid"]: sorted(line["labels"], key=lambda x: -x["score"]) for line in lines}


def assert_problem(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"], body
    return body


def assert_same_labels(results: list[dict], labels: list[dict]) -> None:
    """Server results against the predictor's labels: same UIs in the same order, same
    names, same scores (to float noise: the batches differ)."""
    assert [r["uri"].rsplit("/", 1)[1] for r in results] == [x["ui"] for x in labels]
    assert [r["label"] for r in results] == [x["name"] for x in labels]
    for result, label in zip(results, labels):
        assert result["score"] == pytest.approx(label["score"], abs=1e-5)


# ---- loading -----------------------------------------------------------------------------------
def test_while_loading_the_api_answers_503_at_once(server, predictions):
    server.wait_for("/healthz", 200, seconds=120)  # listening, alive
    started = time.monotonic()
    assert_problem(requests.get(server.url + "/readyz", timeout=TIMEOUT), 503)
    answer = requests.post(server.api("projects/tiny/suggest"), data={"text": "a"}, timeout=5)
    assert "loading" in assert_problem(answer, 503)["detail"]
    assert int(answer.headers["retry-after"]) > 0
    assert_problem(requests.get(server.api("projects"), timeout=5), 503)
    assert time.monotonic() - started < 5, "a request during loading must not wait for it"
    # an unknown project is unknown whether or not the models are loaded
    assert_problem(requests.post(server.api("projects/nope/suggest"), timeout=5), 404)

    server.gate.touch()
    server.wait_for("/readyz", 200, seconds=120)
    assert requests.get(server.url + "/readyz", timeout=TIMEOUT).json()["status"] == "ready"


# ---- Annif's client ----------------------------------------------------------------------------
def test_annif_client_gets_the_labels_allennlp_predict_gives(ready_server, predictions):
    client = AnnifClient(api_base=ready_server.api(""))
    assert set(client.api_info) == {"title", "version"}

    projects = {p["project_id"]: p for p in client.projects}
    assert set(projects) == {"sleepy", "tiny", "frequency"}
    tiny = projects["tiny"]
    assert set(tiny) == {
        "project_id", "name", "language", "backend", "vocab", "vocab_language", "is_trained",
        "modification_time",
    }  # fmt: skip
    assert tiny["name"] == "Tiny MQAN, for tests" and tiny["language"] == "en"
    assert tiny["backend"] == {"backend_id": "mqan_archive"} and tiny["is_trained"] is True
    assert tiny["vocab"]["vocab_id"] == "mesh" and tiny["vocab"]["loaded"] is True
    assert tiny["modification_time"].endswith("Z")
    assert projects["frequency"]["backend"] == {"backend_id": "frequency"}
    assert client.get_project("tiny") == tiny
    with pytest.raises(ValueError, match="not found"):
        client.get_project("nope")
    with pytest.raises(ValueError, match="not found"):
        client.suggest("nope", "some text")

    texts = article_texts()
    assert any(predictions[pmid] for pmid, _ in texts), "the tiny model predicts nothing"
    for pmid, text in texts:
        results = client.suggest("tiny", text, limit=100, threshold=0)
        assert_same_labels(results, predictions[pmid])
        for result in results:
            assert set(result) == {"uri", "label", "notation", "score"}
            assert result["uri"].startswith("http://id.nlm.nih.gov/mesh/D")

    documents = [{"document_id": pmid, "text": text} for pmid, text in texts]
    batch = client.suggest_batch("tiny", documents, limit=100, threshold=0)
    assert [answer["document_id"] for answer in batch] == [pmid for pmid, _ in texts]
    for answer in batch:
        assert_same_labels(answer["results"], predictions[answer["document_id"]])


def test_limit_threshold_and_notation_as_annif(ready_server):
    client = AnnifClient(api_base=ready_server.api(""))
    text = "Breast\nsome abstract"
    best = expected(SLEEPY_LABELS, text)
    results = client.suggest("sleepy", text)  # Annif's defaults: limit 10, threshold 0
    assert [(r["uri"].rsplit("/", 1)[1], r["score"]) for r in results] == [
        (s.label, s.score) for s in best
    ]
    assert [r["score"] for r in client.suggest("sleepy", text, limit=2)] == [0.9, 0.8]
    assert [r["score"] for r in client.suggest("sleepy", text, threshold=0.75)] == [0.9, 0.8]
    assert client.suggest("sleepy", text, limit=0) == []
    # names and first tree numbers from the MeSH table; Female and Male have no tree number
    by_uri = {r["uri"].rsplit("/", 1)[1]: r for r in results}
    assert by_uri["D001943"]["label"] == "Breast Neoplasms"
    assert by_uri["D001943"]["notation"] == "C04.588.180"
    assert by_uri["D005260"]["notation"] is None and by_uri["D005260"]["label"] == "Female"
    # a saved suggester folder is a project too (its labels from --mesh-file)
    frequent = client.suggest("frequency", "anything", limit=1)
    assert [(r["label"], r["score"]) for r in frequent] == [("Female", pytest.approx(2 / 3))]
    # suggest-batch takes limit and threshold in the query; a missing document_id is null
    batch = client.suggest_batch("sleepy", [{"text": text}], limit=1)
    assert batch == [{"results": results[:1], "document_id": None}]


def test_explain_gives_suggests_headings_with_tree_places_and_supporting_words(ready_server):
    """The page's route: the same headings and scores as suggest, each with its places in the
    MeSH tree and the words whose removal lowers its score (``test_explain.py`` checks the
    arithmetic with a suggester whose evidence is known)."""
    text = "Breast carcinoma in postmenopausal women\nWe studied adenocarcinoma of the breast."
    form = {"text": text, "limit": "5"}
    api = ready_server.api
    suggested = requests.post(api("projects/tiny/suggest"), data=form, timeout=TIMEOUT)
    explained = requests.post(api("projects/tiny/explain"), data=form, timeout=TIMEOUT)
    assert explained.status_code == 200, explained.text
    body = explained.json()
    results = body["results"]
    assert results, "the tiny archive suggests nothing for a breast cancer abstract"
    assert [{k: r[k] for k in ("uri", "label", "notation", "score")} for r in results] == [
        {**r, "score": pytest.approx(r["score"], abs=1e-5)} for r in suggested.json()["results"]
    ]
    assert body["words"][:2] == ["breast", "carcinoma"]
    for result in results:
        assert result["uri"].endswith(result["ui"])
        for place in result["tree"]:
            assert place[-1]["name"] == result["label"] and place[0]["ui"] is None
        assert all(s["word"] in body["words"] and s["drop"] > 0 for s in result["support"])
    assert any(result["support"] for result in results), results


# ---- bad requests ------------------------------------------------------------------------------
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BAD_REQUESTS = [
    # (what, method path, keyword arguments of requests.post, status)
    ("empty text", "tiny/suggest", {"data": {"text": ""}}, 400),
    ("whitespace only", "tiny/suggest", {"data": {"text": " \n\t "}}, 400),
    ("no text field", "tiny/suggest", {"data": {"limit": "3"}}, 400),
    ("a 10 MB text", "tiny/suggest", {"data": {"text": "cancer " * 1_500_000}}, 413),
    ("limit=-1", "tiny/suggest", {"data": {"text": "a", "limit": "-1"}}, 400),
    ("limit=abc", "tiny/suggest", {"data": {"text": "a", "limit": "abc"}}, 400),
    ("threshold=2", "tiny/suggest", {"data": {"text": "a", "threshold": "2"}}, 400),
    ("threshold=nan", "tiny/suggest", {"data": {"text": "a", "threshold": "nan"}}, 400),
    ("language=fi", "tiny/suggest", {"data": {"text": "a", "language": "fi"}}, 400),
    ("a body that is not UTF-8", "tiny/suggest", {"data": b"text=\xff\xfe", "headers": FORM}, 400),
    ("percent-encoded non-UTF-8", "tiny/suggest", {"data": b"text=%ff", "headers": FORM}, 400),
    ("JSON to suggest", "tiny/suggest", {"json": {"text": "a"}}, 415),
    ("unknown project", "nope/suggest", {"data": {"text": "a"}}, 404),
    ("unknown project, batch", "nope/suggest-batch", {"json": {"documents": []}}, 404),
    (
        "invalid JSON",
        "tiny/suggest-batch",
        {"data": b'{"documents": [', "headers": {"Content-Type": "application/json"}},
        400,
    ),
    (
        "JSON that is not UTF-8",
        "tiny/suggest-batch",
        {"data": b'{"documents": "\xff"}', "headers": {"Content-Type": "application/json"}},
        400,
    ),
    ("33 documents", "tiny/suggest-batch", {"json": {"documents": [{"text": "a"}] * 33}}, 400),
    ("no documents key", "tiny/suggest-batch", {"json": {"texts": []}}, 400),
    ("a document without text", "tiny/suggest-batch", {"json": {"documents": [{}]}}, 400),
    ("an empty document", "tiny/suggest-batch", {"json": {"documents": [{"text": ""}]}}, 400),
    ("a numeric id", "tiny/suggest-batch", {"json": {"documents": [{"text": "a",
                                                                     "document_id": 1}]}}, 400),
    ("batch limit=-1", "tiny/suggest-batch?limit=-1", {"json": {"documents": []}}, 400),
    ("batch threshold=2", "tiny/suggest-batch?threshold=2", {"json": {"documents": []}}, 400),
    ("a form to suggest-batch", "tiny/suggest-batch", {"data": {"text": "a"}}, 415),
    ("explain: empty text", "tiny/explain", {"data": {"text": " "}}, 400),
    ("explain: limit=abc", "tiny/explain", {"data": {"text": "a", "limit": "abc"}}, 400),
    ("explain: unknown project", "nope/explain", {"data": {"text": "a"}}, 404),
]  # fmt: skip


def test_bad_requests_get_problems_and_the_next_request_is_answered(ready_server, predictions):
    pmid, text = article_texts()[0]
    for what, path, kwargs, status in BAD_REQUESTS:
        answer = requests.post(ready_server.api(f"projects/{path}"), timeout=TIMEOUT, **kwargs)
        assert answer.status_code == status, (what, answer.text[:300])
        assert_problem(answer, status)
        # the next request is answered (by the instant frequency project; the MQAN one below)
        good = requests.post(
            ready_server.api("projects/frequency/suggest"), data={"text": text}, timeout=TIMEOUT
        )
        assert good.status_code == 200, (what, good.text[:300])
        assert [r["label"] for r in good.json()["results"]] == [
            "Female",
            "Breast Neoplasms",
            "Male",
        ]
    good = requests.post(
        ready_server.api("projects/tiny/suggest"), data={"text": text, "limit": 100}
    )
    assert_same_labels(good.json()["results"], predictions[pmid])

    # routing's own errors are problems too
    assert_problem(requests.get(ready_server.url + "/nowhere", timeout=TIMEOUT), 404)
    assert_problem(requests.put(ready_server.api("projects/tiny/suggest"), timeout=TIMEOUT), 405)
    assert_problem(requests.post(ready_server.api("projects/tiny/learn"), timeout=TIMEOUT), 403)

    # a client that closes the connection half-way through its body is dropped cleanly
    closed_before = ready_server.metric(
        "mesh_service_requests_total",
        method="POST",
        route="/v1/projects/{project_id}/suggest",
        status="499",
    )
    with socket.create_connection(("127.0.0.1", ready_server.port), timeout=TIMEOUT) as sock:
        sock.sendall(
            b"POST /v1/projects/tiny/suggest HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
            b"text=Breast+cancer"
        )
    deadline = time.monotonic() + 10
    labels = dict(method="POST", route="/v1/projects/{project_id}/suggest", status="499")
    while ready_server.metric("mesh_service_requests_total", **labels) == closed_before:
        assert time.monotonic() < deadline, "the half-sent request was never finished"
        time.sleep(0.1)
    good = requests.post(
        ready_server.api("projects/tiny/suggest"), data={"text": text, "limit": 100}
    )
    assert_same_labels(good.json()["results"], predictions[pmid])

    metrics = requests.get(ready_server.url + "/metrics", timeout=TIMEOUT).text
    assert 'status="500"' not in metrics
    assert "Traceback" not in ready_server.log_text()


# ---- dynamic batching --------------------------------------------------------------------------
def post_all(url: str, forms: list[dict]) -> list[requests.Response]:
    """All forms at once, one thread (one client) each."""
    answers: list = [None] * len(forms)

    def post(index: int) -> None:
        answers[index] = requests.post(url, data=forms[index], timeout=TIMEOUT)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT + 10)
    return answers


def test_concurrent_requests_share_model_batches(ready_server, predictions):
    before = len(ready_server.batch_sizes())
    texts = [f"Article {i}\n" + "word " * i for i in range(24)]
    answers = post_all(ready_server.api("projects/sleepy/suggest"), [{"text": t} for t in texts])
    for text, answer in zip(texts, answers):  # each client gets its own text's answer
        assert answer.status_code == 200, answer.text[:300]
        got = [(r["uri"].rsplit("/", 1)[1], r["score"]) for r in answer.json()["results"]]
        assert got == [(s.label, s.score) for s in expected(SLEEPY_LABELS, text)]
    sizes = ready_server.batch_sizes()[before:]
    assert sum(sizes) == len(texts)
    assert max(sizes) == MAX_BATCH and len(sizes) <= len(texts) // 2, sizes

    # the MQAN archive batched with other clients' texts gives what predict gives
    articles = article_texts() * 4
    calls = ready_server.metric("mesh_service_model_batch_size_count", project="tiny")
    answers = post_all(
        ready_server.api("projects/tiny/suggest"), [{"text": t, "limit": 100} for _, t in articles]
    )
    for (pmid, _), answer in zip(articles, answers):
        assert answer.status_code == 200, answer.text[:300]
        assert_same_labels(answer.json()["results"], predictions[pmid])
    calls = ready_server.metric("mesh_service_model_batch_size_count", project="tiny") - calls
    assert calls < len(articles), f"{len(articles)} requests took {calls} model calls"


# ---- health, metrics, documentation ------------------------------------------------------------
def test_health_metrics_and_the_local_docs_page(ready_server):
    url = ready_server.url
    assert requests.get(url + "/healthz", timeout=TIMEOUT).json() == {"status": "alive"}
    answer = requests.get(url + "/metrics", timeout=TIMEOUT)
    assert answer.headers["content-type"].startswith("text/plain")
    for expected_line in (
        'mesh_service_requests_total{method="POST",route="/v1/projects/{project_id}/suggest",'
        'status="200"}',
        'mesh_service_request_duration_seconds_bucket{le="0.5",route="/v1/projects/'
        '{project_id}/suggest"}',
        'mesh_service_model_batch_size_bucket{le="8.0",project="sleepy"}',
        "mesh_service_requests_in_flight 1.0",  # this request
        'mesh_service_project_ready{project="tiny"} 1.0',
    ):
        assert expected_line in answer.text, expected_line

    spec = requests.get(url + "/v1/openapi.json", timeout=TIMEOUT).json()
    for path in ("/v1/projects", "/v1/projects/{project_id}/suggest",
                 "/v1/projects/{project_id}/suggest-batch"):  # fmt: skip
        assert path in spec["paths"]
    suggest = spec["paths"]["/v1/projects/{project_id}/suggest"]["post"]
    assert "application/x-www-form-urlencoded" in suggest["requestBody"]["content"]

    page = requests.get(url + "/v1/ui/", timeout=TIMEOUT)
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    links = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert links and all(link.startswith("/v1/ui/assets/") for link in links), links
    assert "//cdn" not in page.text and "https://" not in page.text
    for link in links:
        assert requests.get(url + link, timeout=TIMEOUT).status_code == 200, link


# ---- graceful shutdown (last: it stops the server) ---------------------------------------------
def test_sigterm_answers_every_accepted_request_then_exits_0(ready_server):
    before = len(ready_server.batch_sizes())
    texts = [f"Late article {i}\n" + "text " * i for i in range(2 * MAX_BATCH)]
    answers: list = []
    thread = threading.Thread(
        target=lambda: answers.extend(
            post_all(ready_server.api("projects/sleepy/suggest"), [{"text": t} for t in texts])
        )
    )
    thread.start()
    # every request is in (a batch runs, the rest waits for the next) before the signal
    deadline = time.monotonic() + 15
    while True:
        started = ready_server.batch_sizes()[before:]
        waiting = ready_server.metric("mesh_service_model_queue_texts", project="sleepy")
        if started and sum(started) + waiting == len(texts):
            break
        assert time.monotonic() < deadline, (started, waiting)
        time.sleep(0.02)
    ready_server.process.send_signal(signal.SIGTERM)

    # it stops accepting connections at once...
    deadline = time.monotonic() + 5
    while True:
        try:
            socket.create_connection(("127.0.0.1", ready_server.port), timeout=1).close()
        except OSError:
            break
        assert time.monotonic() < deadline, "still accepting connections after SIGTERM"
        time.sleep(0.02)
    # ... answers everything it had accepted, and exits 0
    thread.join(timeout=60)
    assert len(answers) == len(texts)
    for text, answer in zip(texts, answers):
        assert answer is not None and answer.status_code == 200, answer
        assert answer.json()["results"][0]["uri"].endswith(expected(SLEEPY_LABELS, text)[0].label)
    assert sum(ready_server.batch_sizes()[before:]) == len(texts)
    assert ready_server.process.wait(timeout=60) == 0
    log = ready_server.log_text()
    assert "Shutting down" in log
    for sign in ("Traceback", "Exception in ASGI application", '" 500', "ERROR"):
        assert sign not in log, f"{sign!r} in the server's log:\n{log[-3000:]}"
