"""`lens actors`: template, import (all or nothing), example data always labelled, review,
merge, duplicates, export, and the network commands."""

from __future__ import annotations

import csv
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from prevention_lens.sources.actor_sheet import ACTOR_COLUMNS, RELATIONSHIP_COLUMNS, write_csv
from tests.cli.conftest import Lens

NOTICE = "EXAMPLE DATA — generated, not real organisations"
ACTORS = [
    {"actor_ref": "a", "name": "Coast Peace Forum", "kind": "civil_society", "levels": "local",
     "countries": "Kenya", "contact_email": "desk@cpf.example.org"},
    {"actor_ref": "b", "name": "Coast Peace Forum (CPF)", "kind": "civil_society",
     "levels": "local", "countries": "KEN"},
]  # fmt: skip


def _sheet(tmp_path: Path, actors: list[dict[str, str]] = ACTORS) -> Path:
    path = tmp_path / "map.csv"
    write_csv(path, actors, [{"source_ref": "a", "target_ref": "b", "kind": "referral"}])
    return path


def test_template_prints_the_headers_and_writes_files(lens: Lens, tmp_path: Path) -> None:
    assert lens("actors", "template").out.strip() == ",".join(ACTOR_COLUMNS)
    result = lens("actors", "template", "--relationships")
    assert result.out.strip() == ",".join(RELATIONSHIP_COLUMNS)
    assert lens("actors", "template", "--xlsx", str(tmp_path / "t.xlsx")).code == 0
    assert lens("actors", "template", "--csv", str(tmp_path / "t.csv")).code == 0
    assert (tmp_path / "t.relationships.csv").read_text().startswith("source_ref,")
    assert lens("actors", "import", str(tmp_path / "t.xlsx")).code == 0


def test_import_review_merge_and_duplicates(lens: Lens, tmp_path: Path) -> None:
    result = lens("actors", "import", str(_sheet(tmp_path)), "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert isinstance(report, dict) and report["rows_created"] == 3
    assert report["proposed_merges"][0]["keep_id"] == 1
    pairs = lens("actors", "duplicates", "--json").json()
    assert isinstance(pairs, dict) and len(pairs["pairs"]) == 1
    assert "lens actors merge 1 2" in lens("actors", "duplicates").out
    assert lens("actors", "review", "1", "publish").code == 0
    assert "merged into 1" in lens("actors", "merge", "1", "2").out
    shown = lens("actors", "show", "1", "--json").json()
    assert isinstance(shown, dict) and shown["status"] == "published"
    assert shown["contacts"][0]["email"] == "desk@cpf.example.org"
    listed = lens("actors", "list", "--status", "published", "--json").json()
    assert isinstance(listed, dict) and [row["id"] for row in listed["actors"]] == [1]


def test_a_bad_file_is_one_clear_error_and_nothing_is_written(lens: Lens, tmp_path: Path) -> None:
    bad = _sheet(tmp_path, [{**ACTORS[0], "countries": "Kenia"}, ACTORS[1]])
    result = lens("actors", "import", str(bad))
    assert result.code == 2
    assert "map.csv, row 2, field 'countries': unknown country 'Kenia'; did you mean Kenya" in (
        result.err.replace("\n", "")
    )
    listed = lens("actors", "list", "--json").json()
    assert isinstance(listed, dict) and listed["actors"] == []
    other = tmp_path / "other.csv"
    other.write_text("organisation,country\nX,KEN\n")
    wrong = lens("actors", "import", str(other))
    assert wrong.code == 2 and "lens actors template" in wrong.err


def test_example_data_is_always_labelled(lens: Lens, tmp_path: Path) -> None:
    loaded = lens("actors", "example")
    assert loaded.code == 0 and NOTICE in loaded.out
    assert "0 actors and 0 relationships created" in lens("actors", "example").out
    assert NOTICE in lens("actors", "list", "--dataset", "example", "--country", "Kenya").out
    assert NOTICE not in lens("actors", "list").out
    listed = lens("actors", "list", "--dataset", "example", "--json").json()
    assert isinstance(listed, dict) and listed["notice"] == NOTICE
    assert NOTICE in lens("actors", "show", "1").out
    assert NOTICE in lens("actors", "duplicates", "--dataset", "example").out
    graph = tmp_path / "map.graphml"
    written = lens("actors", "export", "--format", "graphml", "--dataset", "example",
                   "--output", str(graph))  # fmt: skip
    assert written.code == 0 and NOTICE in written.out
    root = ET.parse(graph).getroot()  # noqa: S314  (our own output, in a test)
    assert len(root.findall(".//{http://graphml.graphdrawing.org/xmlns}node")) > 250
    exported = lens("actors", "export", "--dataset", "example", "--public")
    assert NOTICE in exported.err and "@example.org" not in exported.out
    rows = list(csv.DictReader(exported.out.splitlines()))
    assert rows and all(row["name"].startswith("Example:") for row in rows)


def test_network_commands_run_on_the_example(lens: Lens) -> None:
    lens("actors", "example")
    for command in (("suggest", "1"), ("gaps",), ("snapshot",)):
        result = lens("actors", *command, "--dataset", "example")
        assert result.code == 0, result.err
        assert NOTICE in result.out
    snapshot = lens("actors", "snapshot", "--dataset", "example", "--json").json()
    assert isinstance(snapshot, dict) and snapshot["summary"]["actors"] > 250


def test_champions_per_region_come_with_reasons(lens: Lens) -> None:
    assert lens("actors", "example").code == 0
    found = lens("actors", "champions", "--dataset", "example", "--top", "3", "--json").json()
    assert isinstance(found, dict) and len(found) >= 4
    for region, rows in found.items():
        assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
        assert rows[0]["reasons"][0].startswith(f"highest betweenness in {region}")
        assert rows == sorted(rows, key=lambda row: -row["betweenness"])
    table = lens("actors", "champions", "--dataset", "example", "--top", "2")
    assert table.code == 0 and "Champions in" in table.out and NOTICE in table.out
    unknown = lens("actors", "champions", "--dataset", "example", "--region", "Atlantis")
    assert unknown.code == 2 and "no actors work in 'Atlantis'" in unknown.err


def test_empty_results_say_why(lens: Lens) -> None:
    empty = lens("actors", "list")
    assert empty.code == 0
    assert (
        "No actors in the real dataset; the example mapping is under `--dataset example`."
        in empty.out
    )
    listed = lens("actors", "list", "--json").json()
    assert isinstance(listed, dict) and listed["why_empty"].startswith("no actors in the real")
    filtered = lens("actors", "list", "--level", "local")
    assert "No actors match these filters in the real dataset." in filtered.out
    example = lens("actors", "list", "--dataset", "example")
    assert "`lens actors example` loads it" in example.out
    assert "No champions: no region has two actors tied" in lens("actors", "champions").out
    assert "No countries to show: no actors in the real dataset" in lens("actors", "gaps").out


def test_champions_say_they_are_ranked_on_each_regions_network(lens: Lens) -> None:
    assert lens("actors", "example").code == 0
    table = lens("actors", "champions", "--dataset", "example", "--top", "1")
    assert "computed on the region's own network" in table.out
    assert "Champions in Africa (on Africa's own network)" in " ".join(table.out.split())


def test_the_command_group_loads_no_heavy_library_or_domain_module() -> None:
    code = (
        "import sys, prevention_lens.cli.actors; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('igraph', 'scipy', 'pandas', 'sklearn', 'numpy') "
        "or m.startswith(('prevention_lens.actors', 'prevention_lens.briefs', "
        "'prevention_lens.ingest')))))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found == []
