"""The public sources Prevention Lens reads, where to get them, and under which terms.

`lens data pull` downloads those with a stable direct address; the others need a person
to accept terms on the publisher's page first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublicSource:
    name: str
    title: str
    publisher: str
    landing_page: str
    licence: str
    folder: str
    download_url: str | None = None

    @property
    def manual(self) -> bool:
        return self.download_url is None


CATALOG: tuple[PublicSource, ...] = (
    PublicSource(
        name="ucdp-ged",
        title="UCDP Georeferenced Event Dataset (GED) Global version 25.1",
        publisher="Uppsala Conflict Data Program",
        landing_page="https://ucdp.uu.se/downloads/",
        licence="CC BY 4.0",
        folder="ucdp/ged",
        download_url="https://ucdp.uu.se/downloads/ged/ged251-csv.zip",
    ),
    PublicSource(
        name="ucdp-prio-acd",
        title="UCDP/PRIO Armed Conflict Dataset version 24.1",
        publisher="Uppsala Conflict Data Program and PRIO",
        landing_page="https://ucdp.uu.se/downloads/",
        licence="CC BY 4.0",
        folder="ucdp/yearly",
        download_url="https://ucdp.uu.se/downloads/ucdpprio/ucdp-prio-acd-241-csv.zip",
    ),
    PublicSource(
        name="cow-states",
        title="Correlates of War State System Membership (v2016)",
        publisher="Correlates of War Project",
        landing_page="https://correlatesofwar.org/data-sets/state-system-membership/",
        licence="free for research with citation",
        folder="country-codes",
        download_url="https://correlatesofwar.org/wp-content/uploads/states2016.csv",
    ),
    PublicSource(
        name="ewp",
        title="Early Warning Project statistical risk assessment replication files",
        publisher="US Holocaust Memorial Museum, Simon-Skjodt Center",
        landing_page="https://earlywarningproject.ushmm.org/",
        licence="research and educational use with attribution; do not redistribute",
        folder="ewp-2025",
    ),
    PublicSource(
        name="vdem",
        title="V-Dem Country-Year dataset",
        publisher="Varieties of Democracy Institute",
        landing_page="https://www.v-dem.net/data/the-v-dem-dataset/",
        licence="CC BY-SA 4.0 (registration on the publisher's page)",
        folder="vdem",
    ),
    PublicSource(
        name="acled",
        title="ACLED event data exports",
        publisher="Armed Conflict Location & Event Data",
        landing_page="https://acleddata.com/",
        licence="ACLED terms of use (account required)",
        folder="acled",
    ),
)


def catalog_entry(name: str) -> PublicSource | None:
    return next((source for source in CATALOG if source.name == name), None)
