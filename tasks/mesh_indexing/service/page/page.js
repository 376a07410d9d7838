// The MeSH indexing page: loads the projects and examples, posts the article to the
// project's explain route (the suggest form plus, per heading, its places in the MeSH tree
// and the words that support it), and marks a heading's words in the text when it has the
// focus or the pointer. Everything is built with textContent: no text from a user or a
// model is parsed as HTML. Loads nothing from outside this server.
"use strict";

const MESH_RECORD = "https://meshb.nlm.nih.gov/record/ui?ui=";
const WORD = /[A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*/g;

const $ = (id) => document.getElementById(id);
let examples = [];
let goldHeadings = null; // UIs and names the indexers gave the chosen example, while unchanged

function setStatus(message, isError = false) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("error", isError);
  status.setAttribute("role", isError ? "alert" : "status");
}

async function problemDetail(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || response.statusText;
  } catch (error) {
    return response.statusText;
  }
}

async function loadProjects() {
  const response = await fetch("/v1/projects");
  if (response.status === 503) {
    setStatus("The models are loading; trying again in a moment…");
    setTimeout(loadProjects, 2000);
    return;
  }
  if (!response.ok) {
    setStatus(`Projects could not be listed: ${await problemDetail(response)}`, true);
    return;
  }
  const select = $("project");
  select.replaceChildren();
  for (const project of (await response.json()).projects) {
    const option = document.createElement("option");
    option.value = project.project_id;
    option.textContent = `${project.name} (${project.backend.backend_id})`;
    select.append(option);
  }
  setStatus("");
}

async function loadExamples() {
  const response = await fetch("/examples");
  if (!response.ok) return;
  examples = (await response.json()).examples;
  const select = $("example");
  examples.forEach((example, index) => {
    const option = document.createElement("option");
    option.value = String(index);
    option.textContent = `PMID ${example.pmid}: ${example.title}`;
    select.append(option);
  });
}

function chooseExample() {
  const index = $("example").value;
  if (index === "") {
    goldHeadings = null;
    return;
  }
  const example = examples[Number(index)];
  $("title").value = example.title;
  $("abstract").value = example.abstract;
  goldHeadings = new Set(example.headings.flatMap((h) => [h.ui, h.label]).filter(Boolean));
}

function articleText() {
  return `${$("title").value.trim()}\n${$("abstract").value.trim()}`;
}

async function suggest(event) {
  event.preventDefault();
  const text = articleText();
  if (!text.trim()) {
    setStatus("Type or paste a title and an abstract first.", true);
    $("abstract").focus();
    return;
  }
  const project = $("project").value;
  if (!project) {
    setStatus("No project is loaded yet.", true);
    return;
  }
  const form = new URLSearchParams({
    text,
    limit: $("limit").value || "10",
    threshold: $("threshold").value || "0",
  });
  const button = $("submit");
  button.disabled = true;
  setStatus("Suggesting headings and weighing the words…");
  try {
    const response = await fetch(`/v1/projects/${encodeURIComponent(project)}/explain`, {
      method: "POST",
      body: form,
    });
    if (!response.ok) {
      setStatus(await problemDetail(response), true);
      return;
    }
    const answer = await response.json();
    showResults(answer.results, text);
    const count = answer.results.length;
    setStatus(count ? `${count} heading${count > 1 ? "s" : ""} suggested.` : "No heading scored above the threshold.");
  } catch (error) {
    setStatus(`The server did not answer: ${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}

function treeItem(place) {
  const item = document.createElement("li");
  const steps = place.map((step) => step.name);
  item.append(steps.join(" › ") + " ");
  const code = document.createElement("code");
  code.textContent = place[place.length - 1].tree_number;
  item.append(code);
  return item;
}

function resultItem(result) {
  const item = document.createElement("li");
  item.dataset.words = JSON.stringify(result.support.map((s) => s.word));

  const line = document.createElement("div");
  line.className = "heading-line";
  const title = document.createElement("h3");
  const link = document.createElement("a");
  link.href = MESH_RECORD + encodeURIComponent(result.ui);
  link.textContent = result.label;
  link.title = `${result.label} in the MeSH browser (${result.ui})`;
  title.append(link);
  const score = document.createElement("span");
  score.className = "score";
  score.textContent = `score ${result.score.toFixed(3)}`;
  const meter = document.createElement("meter");
  meter.min = 0;
  meter.max = 1;
  meter.value = Math.max(0, Math.min(1, result.score));
  meter.setAttribute("aria-label", `score of ${result.label}`);
  line.append(title, score, meter);
  if (goldHeadings && (goldHeadings.has(result.ui) || goldHeadings.has(result.label))) {
    const gold = document.createElement("span");
    gold.className = "gold";
    gold.textContent = "✓ the indexers gave it";
    line.append(gold);
  }
  item.append(line);

  const tree = document.createElement("ul");
  tree.className = "tree";
  tree.setAttribute("aria-label", "places in the MeSH tree");
  if (result.tree.length === 0) {
    const none = document.createElement("li");
    none.textContent = "not in the MeSH tree (a check tag)";
    tree.append(none);
  }
  result.tree.forEach((place) => tree.append(treeItem(place)));
  item.append(tree);

  const support = document.createElement("p");
  support.className = "support";
  if (result.support.length === 0) {
    support.textContent = "No single word moves its score: it rests on the text as a whole.";
  } else {
    support.append("Supported by: ");
    result.support.forEach((s, index) => {
      if (index > 0) support.append(", ");
      const word = document.createElement("span");
      word.className = "word";
      word.textContent = s.word;
      support.append(word, ` (−${s.drop.toFixed(3)})`);
    });
  }
  item.append(support);

  const activate = () => markWords(item);
  item.addEventListener("focusin", activate);
  item.addEventListener("mouseenter", activate);
  return item;
}

function showResults(results, text) {
  const list = $("results");
  list.replaceChildren(...results.map(resultItem));
  $("results-section").hidden = false;
  renderText(text, new Set());
  $("text-section").hidden = false;
}

function renderText(text, words) {
  const view = $("marked-text");
  view.replaceChildren();
  const [title, ...rest] = text.split("\n");
  const titleLine = document.createElement("div");
  titleLine.className = "title";
  appendMarked(titleLine, title, words);
  const body = document.createElement("div");
  appendMarked(body, rest.join("\n"), words);
  view.append(titleLine, body);
  view.dataset.text = text;
}

function appendMarked(element, text, words) {
  let last = 0;
  for (const match of text.matchAll(WORD)) {
    if (!words.has(match[0].toLowerCase())) continue;
    element.append(text.slice(last, match.index));
    const mark = document.createElement("mark");
    mark.textContent = match[0];
    element.append(mark);
    last = match.index + match[0].length;
  }
  element.append(text.slice(last));
}

function markWords(item) {
  for (const other of $("results").children) other.classList.toggle("active", other === item);
  renderText($("marked-text").dataset.text, new Set(JSON.parse(item.dataset.words)));
}

document.addEventListener("DOMContentLoaded", () => {
  $("suggest-form").addEventListener("submit", suggest);
  $("example").addEventListener("change", chooseExample);
  for (const id of ["title", "abstract"]) {
    $(id).addEventListener("input", () => { goldHeadings = null; $("example").value = ""; });
  }
  $("abstract").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("suggest-form").requestSubmit();
  });
  loadProjects();
  loadExamples();
});
