"""Copies the front-end libraries from node_modules into web/static/vendor (`make assets`).

The app serves them itself, so pages work offline and under a `script-src 'self'` policy.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "src" / "prevention_lens" / "web" / "static" / "vendor"

# (file inside node_modules, where it goes inside vendor/)
ASSETS = (
    ("d3/dist/d3.min.js", "d3.min.js"),
    ("topojson-client/dist/topojson-client.min.js", "topojson-client.min.js"),
    ("world-atlas/countries-110m.json", "world-atlas/countries-110m.json"),
    ("world-atlas/countries-50m.json", "world-atlas/countries-50m.json"),
)
PACKAGES = ("d3", "topojson-client", "world-atlas")


def planned_copies() -> list[tuple[Path, Path]]:
    """Every (source, target) pair: the assets, then each package's licence."""
    copies = [(NODE_MODULES / source, VENDOR / target) for source, target in ASSETS]
    copies += [
        (NODE_MODULES / package / "LICENSE", VENDOR / "licenses" / f"{package}-LICENSE")
        for package in PACKAGES
    ]
    return copies


def copy_assets() -> int:
    """Copy what changed; return how many files were written."""
    written = 0
    for source, target in planned_copies():
        if target.exists() and filecmp.cmp(source, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written += 1
    return written


def main() -> int:
    if not NODE_MODULES.is_dir():
        print("error: node_modules is missing: run npm ci first", file=sys.stderr)
        return 1
    copies = planned_copies()
    missing = [str(source.relative_to(ROOT)) for source, _ in copies if not source.is_file()]
    if missing:
        print(
            f"error: {', '.join(missing)} not found in node_modules: run npm ci first",
            file=sys.stderr,
        )
        return 1
    written = copy_assets()
    total = len(copies)
    print(f"vendor assets: {written} of {total} files copied, {total - written} already current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
