"""Plain names, units and readable values of the risk predictors, for pages and briefs read
outside the field: "Population: about 54 million", not "popsize.log2: 25.7".

Public API::

    PREDICTORS: dict[str, Predictor]          # the EWP panel's predictors
    predictor(name) -> Predictor              # unknown names get their own name and no unit
    predictor_label(name) -> str
    describe_value(name, value) -> str        # "about 54 million", "yes", "0.05 (V-Dem, 0–1)"
    GROUPS: columns that move together and are explained as one ("party bans", "time trend")
    describe_group(name, values) -> str       # a group's or a predictor's value from its columns
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Predictor:
    """A predictor's plain label, what its value means (``unit``), and how the panel stores it.

    ``scale``: "yes/no" (0/1), "log2+1" (log2 of the count plus one), "log2" (log2 of the
    count), "sqrt" (square root), "share" (0 to 1, shown in %), "number" (as stored),
    "year"/"year squared" (the calendar).
    """

    name: str
    label: str
    unit: str = ""
    scale: str = "number"

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {self.scale!r}")


SCALES = ("yes/no", "log2+1", "log2", "sqrt", "share", "number", "year", "year squared")


def _yes_no(name: str, label: str) -> Predictor:
    return Predictor(name, label, "", "yes/no")


_VDEM_01 = "V-Dem index, 0 (least) to 1 (most)"

PREDICTORS: dict[str, Predictor] = {
    p.name: p
    for p in (
        _yes_no("widetargeting", "An ongoing mass killing targets a wide group"),
        _yes_no("narrowtargeting", "An ongoing mass killing targets a narrow group"),
        _yes_no("v2csgender_binary", "Women's participation in civil society restricted"),
        _yes_no("v2mecenefm_binary", "Government censors the media"),
        _yes_no("partyban.new.0", "No political parties banned"),
        _yes_no("partyban.new.1", "Some political parties banned"),
        _yes_no("partyban.new.2", "All opposition parties banned"),
        _yes_no("minorityrule", "An ethnic minority rules"),
        Predictor(
            "judicialreform",
            "Judicial independence curtailed",
            "V-Dem, 0 (no) to 2 (substantially)",
        ),
        Predictor(
            "religiousfreedom", "Respect for religious freedom", "V-Dem, 0 (none) to 4 (full)"
        ),
        _yes_no("pol_killing_approved", "Political killings approved by the state"),
        Predictor("freediscussion", "Freedom of discussion", _VDEM_01),
        _yes_no("social_inequality", "Political power unequal between social groups"),
        _yes_no("even_civilrights", "Civil liberties unevenly respected"),
        _yes_no("repress_civilsoc", "Civil society repressed"),
        _yes_no("social_power_dist", "Political power distributed by social group"),
        Predictor(
            "ses_power_dist",
            "Power distributed by socio-economic position",
            "V-Dem, about −3 (unequal) to 3 (equal)",
        ),
        Predictor("popsize.log2", "Population", "people", "log2"),
        Predictor("gdppcgrowth", "Growth of GDP per person", "% a year"),
        Predictor("un_imr_sqrt", "Infant mortality", "deaths per 1,000 live births", "sqrt"),
        Predictor("efindex", "Ethnic fractionalisation", "0 (one group) to 1 (many)"),
        Predictor(
            "discrimpop",
            "People in groups facing state-led discrimination",
            "of the population",
            "share",
        ),
        _yes_no("reg.na", "Region: North Africa"),
        _yes_no("reg.eap", "Region: East Asia and Pacific"),
        _yes_no("reg.sca", "Region: South and Central Asia"),
        _yes_no("reg.mna", "Region: Middle East and North Africa"),
        _yes_no("reg.eur", "Region: Europe"),
        _yes_no("ios.iccpr1", "Party to the ICCPR's first optional protocol"),
        Predictor("battledeaths.log2", "Battle-related deaths", "deaths in the year", "log2+1"),
        _yes_no("coup.try.5yr", "Coup attempt in the last five years"),
        Predictor("mk_ongoing_count_log2", "Mass killings under way", "ongoing episodes", "log2+1"),
        Predictor(
            "mean_mk_onset_interaction",
            "Recent mass-killing onsets nearby (EWP's regional interaction)",
            "EWP index, 0 to 6",
        ),
        _yes_no("mk_onset_prev_year", "A mass killing began last year"),
        _yes_no("newcountry", "Newly independent"),
        _yes_no("mk_ever", "A mass killing has happened there before"),
        Predictor("year_sq", "Time trend (year squared)", "", "year squared"),
        Predictor("year", "Time trend (calendar year)", "", "year"),
        Predictor("countryage.new.log2", "Years since independence", "years", "log2+1"),
        _yes_no("includesnonstate", "Killings by non-state groups counted"),
        # The UCDP example panel of docs/risk.md (scripts/ucdp_country_year.py).
        _yes_no("conflict_active", "Armed conflict on its territory"),
        _yes_no("war", "War on its territory (1,000 or more battle deaths)"),
        Predictor("peace_years.log2", "Years since its last armed conflict", "years", "log2+1"),
        Predictor("onsets_past10", "New armed conflicts in the last ten years", "onsets"),
    )
}


# Columns that encode one thing between them: a change is explained once, not per column.
GROUPS: dict[str, tuple[str, ...]] = {
    "time trend": ("year", "year_sq"),
    "party bans": ("partyban.new.0", "partyban.new.1", "partyban.new.2"),
}
GROUP_LABELS = {
    "time trend": "Time trend (the calendar year)",
    "party bans": "Political parties banned",
}
_PARTY_BANS = {"partyban.new.0": "none", "partyban.new.1": "some", "partyban.new.2": "all"}


def describe_group(name: str, values: Mapping[str, float]) -> str:
    """The value of a group (from its columns' values), or of a single predictor."""
    if name == "party bans":
        banned = [text for column, text in _PARTY_BANS.items() if values.get(column, 0) >= 0.5]
        return banned[0] if banned else "unknown"
    if name == "time trend":
        if "year" in values:
            return describe_value("year", values["year"])
        return describe_value("year_sq", values.get("year_sq"))
    return describe_value(name, values.get(name))


def predictor(name: str) -> Predictor:
    """The predictor's description; a column no one has described keeps its own name."""
    return PREDICTORS.get(name) or Predictor(name, name)


def predictor_label(name: str) -> str:
    """The plain label of a predictor or of a group of them."""
    return GROUP_LABELS.get(name) or predictor(name).label


def _about(count: float) -> str:
    """A count rounded the way people say it: about 54 million, about 2,400, 3."""
    if count >= 1e9:
        return f"about {count / 1e9:.1f} billion"
    if count >= 1e6:
        digits = 0 if count >= 1e7 else 1
        return f"about {count / 1e6:.{digits}f} million"
    if count >= 1000:
        return f"about {round(count, -2):,.0f}"
    return f"{count:,.0f}"


def describe_value(name: str, value: float | None) -> str:
    """The value as a reader would say it, with its unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    p = predictor(name)
    if p.scale == "yes/no":
        return "yes" if value >= 0.5 else "no"
    if p.scale == "year":
        return f"{value:.0f}"
    if p.scale == "year squared":
        return f"{math.sqrt(value):.0f}"
    if p.scale == "log2+1":
        return f"{_about(max(0.0, 2.0**value - 1))} {p.unit}"
    if p.scale == "log2":
        return f"{_about(2.0**value)} {p.unit}"
    if p.scale == "share":
        return f"{value * 100:.0f}% {p.unit}".rstrip()
    if p.scale == "sqrt":
        return f"{value * value:.0f} {p.unit}"
    if p.unit.startswith("%"):
        return f"{value:.1f}{p.unit}"
    return f"{value:.3g} ({p.unit})" if p.unit else f"{value:.3g}"
