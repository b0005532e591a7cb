"""Output without a terminal: tables at full width (no cut cells), progress as plain lines."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from prevention_lens.cli.output import print_record, print_table, progress
from prevention_lens.ingest import available_formats

LENS = Path(sys.executable).parent / "lens"


def test_a_piped_table_keeps_every_cell_whole(tmp_path: Path) -> None:
    # Through the real entry point with its output in a pipe, as in a log or `| grep`: Rich
    # would squeeze the table into 80 (here 60) columns and cut cells to "ens… 0.8…".
    env = {**os.environ, "LENS_HOME": str(tmp_path), "COLUMNS": "60"}
    done = subprocess.run(
        [str(LENS), "data", "formats"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert "…" not in done.stdout
    lines = done.stdout.splitlines()
    for item in available_formats():
        row = next(line for line in lines if line.startswith(f"│ {item.name} "))
        assert item.description in row, f"{item.name}'s description is cut or wrapped"


def test_tables_and_records_without_a_terminal_are_as_wide_as_their_cells(
    capsys: pytest.CaptureFixture[str],
) -> None:
    figure = "0.8123456789" * 12
    print_table([{"model": "ensemble", "auc": figure}], ["model", "auc"], title="Backtest")
    print_record({"model": "ensemble", "auc": figure})
    out = capsys.readouterr().out
    assert "…" not in out
    assert len(re.findall(re.escape(figure), out)) == 2


def test_progress_without_a_terminal_is_plain_timestamped_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with progress("Importing events", total=20) as step:
        for _ in range(20):
            step.advance()
    captured = capsys.readouterr()
    assert captured.out == ""  # stdout stays clean for --json
    lines = captured.err.splitlines()
    assert re.fullmatch(r"\d\d:\d\d:\d\d Importing events: 2 of 20 \(10%\), \d+ s", lines[0])
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d Importing events: done \(20 of 20 \(100%\), \d+\.\d s\)", lines[-1]
    )
    # At most one line per tenth of the work, not one per row.
    assert 3 <= len(lines) <= 11


def test_a_failed_step_leaves_the_error_alone(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError), progress("Backtesting"):
        raise RuntimeError("no data")
    assert capsys.readouterr().err == ""


def test_progress_in_a_terminal_is_a_rich_bar_cleared_at_the_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=80)
    monkeypatch.setattr("prevention_lens.cli.output.errors", terminal)
    with progress("Backtesting", total=4) as step:
        step.advance(2)
        step.note("Backtesting fold 2")
        step.advance(2)
    drawn = screen.getvalue()
    assert "Backtesting" in drawn and "\x1b[" in drawn  # drawn with terminal codes
    assert "done (" not in drawn  # no plain lines in a terminal
