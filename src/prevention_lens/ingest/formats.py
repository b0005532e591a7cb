"""The built-in import formats; later capabilities add theirs here."""

from __future__ import annotations

from prevention_lens.ingest.country_names import load_country_names
from prevention_lens.ingest.registry import ImportFormat, register_format
from prevention_lens.risk.framework import CITATION, load_framework
from prevention_lens.sources.country_names import read_country_names
from prevention_lens.sources.frameworks import read_framework

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

UN_FRAMEWORK = register_format(
    ImportFormat(
        name="un-framework",
        title="UN Framework of Analysis for Atrocity Crimes",
        description=(
            "The 14 risk factors and their numbered indicators (YAML). Wording an admin has "
            "corrected is kept; each version of an indicator is kept as a revision."
        ),
        citation=CITATION,
        default_path="frameworks/framework_of_analysis.yaml",
        read=read_framework,
        load=load_framework,
    )
)
