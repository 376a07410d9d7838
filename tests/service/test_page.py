"""The web page as a visitor meets it: a real headless Chromium, driven through chromedriver
(Debian's `chromium` and `chromium-driver`; `.ci/run` installs them), against a real
`allennlp serve-mesh` on loopback serving the tiny archive trained in the test.

Everything is done with the keyboard: type the article, submit with Ctrl+Enter, tab to a
heading. The page must load nothing from outside the server (Chromium's own log of the
requests it made is checked), and a screenshot is saved in the test's temporary folder.
Without the browser the test skips, saying what to install, unless ``REQUIRE_BROWSER=1``
(as `.ci/run` sets), where a missing browser is a failure.
"""

import json
import os
from pathlib import Path

import pytest
from paths import MESH_MINI, MQAN_FIXTURES, PROJECT_ROOT
from serving import start_server

from tasks.mesh_indexing.service.load_test import free_port

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
TITLE = "Breast carcinoma in postmenopausal women"
ABSTRACT = (
    "We studied adenocarcinoma of the breast in 40 women. Breast neoplasms were more "
    "frequent after menopause."
)
WAIT = 120  # seconds: the server loads torch, AllenNLP and the archive first


def browser_or_skip() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install chromium chromium-driver"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def page_server(tiny_archive, tmp_path_factory):
    folder = tmp_path_factory.mktemp("page")
    port = free_port()
    server = start_server(
        [
            "serve-mesh", "--project", f"tiny={tiny_archive},name=Tiny MQAN",
            "--mesh-file", str(MESH_MINI), "--examples", str(MQAN_FIXTURES / "mesh_articles.json"),
            "--host", "127.0.0.1", "--port", str(port), "--explain-words", "12",
        ],
        folder / "server.log",
    )  # fmt: skip
    yield server
    server.stop()


@pytest.fixture
def browser(tmp_path):
    browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--window-size=1200,1600",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_a_visitor_types_an_abstract_and_sees_scored_headings(page_server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import Select, WebDriverWait

    page_server.wait_for("/readyz", 200, seconds=WAIT)
    browser.get(page_server.url + "/")
    wait = WebDriverWait(browser, WAIT)
    assert browser.title == "MeSH indexing"
    # the projects and examples come from the server
    wait.until(lambda d: Select(d.find_element(By.ID, "project")).options)
    project = Select(browser.find_element(By.ID, "project"))
    assert project.first_selected_option.get_attribute("value") == "tiny"
    wait.until(lambda d: len(Select(d.find_element(By.ID, "example")).options) > 1)

    # keyboard only: the title field, Tab to the abstract, Ctrl+Enter submits
    title = browser.find_element(By.ID, "title")
    title.click()
    title.send_keys(TITLE, Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("id") == "abstract"
    focused.send_keys(ABSTRACT)
    focused.send_keys(Keys.CONTROL, Keys.ENTER)

    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "#results > li")))
    items = browser.find_elements(By.CSS_SELECTOR, "#results > li")
    assert items, browser.find_element(By.ID, "status").text
    first = items[0]
    score_text = first.find_element(By.CLASS_NAME, "score").text
    assert score_text.startswith("score ") and 0.0 <= float(score_text.split()[1]) <= 1.0
    link = first.find_element(By.CSS_SELECTOR, "h3 a")
    assert link.text and link.get_attribute("href").startswith(
        "https://meshb.nlm.nih.gov/record/ui?ui=D"
    )
    assert first.find_elements(By.CSS_SELECTOR, ".tree li"), "no place in the MeSH tree"
    assert first.find_element(By.CLASS_NAME, "support").text
    status = browser.find_element(By.ID, "status").text
    assert "suggested" in status, status

    # Tab from the abstract (past project, limit, threshold, the button) reaches the first
    # heading's link; that heading turns active and its supporting words are marked
    for _ in range(10):
        if browser.switch_to.active_element == link:
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element == link, "Tab never reached the first heading"
    wait.until(lambda d: "active" in first.get_attribute("class"))
    support = [w.text for w in first.find_elements(By.CSS_SELECTOR, ".support .word")]
    marked = {m.text.lower() for m in browser.find_elements(By.CSS_SELECTOR, "#marked-text mark")}
    assert marked == {w.lower() for w in support} & marked
    if support:
        assert marked, f"supporting words {support} are not marked in the text"

    screenshot = tmp_path / "page.png"
    assert browser.save_screenshot(str(screenshot))
    print(f"screenshot: {screenshot}")
    assert screenshot.stat().st_size > 10_000

    outside = [
        url
        for url in requested_urls(browser)
        # chrome:// are the browser's own pages (its new tab), not the network
        if url.startswith(("http:", "https:", "ws:", "wss:", "ftp:"))
        and not url.startswith(page_server.url + "/")
    ]
    assert not outside, f"the page asked for something outside the server: {outside}"


def test_the_page_reports_an_empty_abstract_without_calling_the_model(page_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page_server.wait_for("/readyz", 200, seconds=WAIT)
    browser.get(page_server.url + "/")
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "project").get_attribute("value")
    )
    browser.find_element(By.ID, "submit").click()
    status = browser.find_element(By.ID, "status")
    assert "Type or paste" in status.text
    assert status.get_attribute("role") == "alert"
    assert browser.switch_to.active_element.get_attribute("id") == "abstract"


def test_ci_installs_the_browser_and_requires_it():
    """In CI this test file must not skip: `.ci/run` installs Debian's packages when they
    are missing and sets REQUIRE_BROWSER=1."""
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "chromium-driver" in ci and "REQUIRE_BROWSER=1" in ci
