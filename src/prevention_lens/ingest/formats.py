"""The built-in import formats; later capabilities add theirs here."""

from __future__ import annotations

from prevention_lens.ingest.country_names import load_country_names
from prevention_lens.ingest.registry import ImportFormat, register_format
from prevention_lens.sources.country_names import read_country_names

COUNTRY_NAMES = register_format(
    ImportFormat(
        name="country-names",
        title="Country-name list",
        description=(
            "A CSV pairing the country names a source uses with COW, Gleditsch–Ward or ISO3 "
            "codes; each name becomes an alias, so that source's names resolve."
        ),
        citation=(
            "Default file: US Holocaust Memorial Museum, Early Warning Project, "
            "countrynamesheet_complete.csv (2025 replication files)."
        ),
        default_path="ewp-2025/countrynamesheet_complete.csv",
        read=read_country_names,
        load=load_country_names,
    )
)
