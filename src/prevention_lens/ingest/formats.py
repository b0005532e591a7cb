"""The built-in import formats; later capabilities add theirs here."""

from __future__ import annotations

from prevention_lens.ingest.actors import ACTOR_SHEET_FORMAT
from prevention_lens.ingest.country_names import load_country_names
from prevention_lens.ingest.incidents import (
    load_incidents,
    read_acled,
    read_ged,
    read_incident_csv,
)
from prevention_lens.ingest.library import EVIDENCE_BIBTEX, EVIDENCE_CSV, EVIDENCE_RIS
from prevention_lens.ingest.registry import ImportFormat, register_format
from prevention_lens.ingest.speech_posts import SPEECH_POSTS
from prevention_lens.ingest.speech_terms import SPEECH_HURTLEX, SPEECH_TERMS_CSV
from prevention_lens.risk.framework import CITATION, load_framework
from prevention_lens.risk.panel_import import (
    DESCRIPTION,
    TITLE,
    load_panel_import,
    read_panel_import,
)
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

UCDP_GED = register_format(
    ImportFormat(
        name="ucdp-ged",
        title="UCDP Georeferenced Event Dataset (GED)",
        description=(
            "Events of organised violence (state-based, non-state, one-sided) from UCDP's "
            "49-column GED CSV, one incident per event id; re-imports update, never duplicate."
        ),
        citation=(
            "Sundberg, R. & Melander, E. (2013), Introducing the UCDP Georeferenced Event "
            "Dataset, Journal of Peace Research 50(4); Davies, S., Pettersson, T. & Öberg, M., "
            "Organized violence, Journal of Peace Research. UCDP data: CC BY 4.0."
        ),
        default_path="ucdp/ged/ged_myanmar_1989-2022.csv",
        read=read_ged,
        load=load_incidents,
    )
)

ACLED = register_format(
    ImportFormat(
        name="acled",
        title="ACLED events (current or older exports) or deleted events",
        description=(
            "An ACLED CSV export, current (lower-case headers) or older (upper-case headers), "
            "one incident per event_id_cnty; a file of deleted events (event_id_cnty, "
            "deleted_timestamp) withdraws them."
        ),
        citation=(
            "Raleigh, C., Linke, A., Hegre, H. & Karlsen, J. (2010), Introducing ACLED: An "
            "Armed Conflict Location and Event Dataset, Journal of Peace Research 47(5). "
            "Use is subject to ACLED's terms of use and attribution policy."
        ),
        default_path=None,
        read=read_acled,
        load=load_incidents,
    )
)

INCIDENT_CSV = register_format(
    ImportFormat(
        name="incident-csv",
        title="CSV of incidents with a column mapping",
        description=(
            "Any CSV of incidents; NAME.mapping.yaml beside NAME.csv names the id column, "
            "which column fills which incident field, constants and the date format."
        ),
        citation="Cite the organisation that collected the incidents.",
        default_path=None,
        read=read_incident_csv,
        load=load_incidents,
    )
)

ACTOR_SHEET = register_format(ACTOR_SHEET_FORMAT)
PANEL = register_format(
    ImportFormat(
        name="panel",
        title=TITLE,
        description=DESCRIPTION,
        citation="Your own panel: cite the sources its columns come from.",
        default_path=None,
        read=read_panel_import,
        load=load_panel_import,
    )
)

# The evidence library: reference-manager exports and our own CSV (whatworks/).
register_format(EVIDENCE_CSV)
register_format(EVIDENCE_BIBTEX)
register_format(EVIDENCE_RIS)

# The hate-speech lexicon: our CSV and HurtLex (speech/).
register_format(SPEECH_TERMS_CSV)
register_format(SPEECH_HURTLEX)

# Monitored posts, scored as they are imported (speech/).
register_format(SPEECH_POSTS)
