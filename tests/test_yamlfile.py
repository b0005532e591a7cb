"""Reading a YAML file a person wrote: a missing file, text that is not UTF-8, a YAML mistake
and a document of the wrong shape each name the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.yamlfile import read_yaml, read_yaml_mapping


def test_a_mapping_and_a_list_are_read(tmp_path: Path) -> None:
    path = tmp_path / "entry.yaml"
    path.write_text("title: Radio and trust\nyear: 2024\n", encoding="utf-8")
    assert read_yaml_mapping(path, holds="one entry") == {"title": "Radio and trust", "year": 2024}
    listed = tmp_path / "list.json"
    listed.write_text('[{"term": "zorb"}]', encoding="utf-8")
    assert read_yaml(listed) == [{"term": "zorb"}]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\xd0\xff", "is not UTF-8 text"),
        (b"title: [unclosed\n", "is not valid YAML"),
        (b"- a list\n- of things\n", "the file must hold one entry as a mapping"),
    ],
)
def test_each_problem_names_the_file(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "entry.yaml"
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=problem) as raised:
        read_yaml_mapping(path, holds="one entry as a mapping (title:, …)", file="entry.yaml")
    assert raised.value.file == "entry.yaml"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="file does not exist") as raised:
        read_yaml(tmp_path / "nowhere.yaml")
    assert raised.value.file == str(tmp_path / "nowhere.yaml")
