"""What every demo step shares: the password, the people and organisations, and the context that
carries the objects one step makes to the next."""
from __future__ import annotations

from dataclasses import dataclass, field

from tracker.auth.models import Organisation, OrganisationKind, User
from tracker.cases.models import Case

DEMO_PASSWORD = "samverkan-demo"

# The employer's unit register: the demo cases' units and a few more to choose from.
UNITS = ["Biblioteket", "Centralköket", "Fritidsgårdarna", "Hemtjänst Norr", "Hemtjänst Söder", "IT-support",
         "Kotihoito", "Kulturskolan", "Parkförvaltningen", "Skolköken", "Skolstäd", "Växeln"]

ORGANISATIONS = [
    ("Exempelstads kommun", OrganisationKind.EMPLOYER),
    ("Kommunal", OrganisationKind.UNION),
    ("Vision", OrganisationKind.UNION),
    ("Akademikerförbunden", OrganisationKind.UNION),
    ("JHL", OrganisationKind.UNION),
    ("JUKO", OrganisationKind.UNION),
]

# (email, name, roles, organisation)
USERS = [
    ("hr@example.org", "Helena Rask", ["hr_officer"], "Exempelstads kommun"),
    ("decision@example.org", "Daniel Ek", ["decision_maker"], "Exempelstads kommun"),
    ("union@example.org", "Ulla Nieminen", ["union_rep"], "Kommunal"),
    ("safety@example.org", "Sami Järvinen", ["safety_rep"], "Vision"),
    ("auditor@example.org", "Astrid Öberg", ["auditor"], "Exempelstads kommun"),
    ("admin@example.org", "Adam Lind", ["admin"], "Exempelstads kommun"),
    # Extra people so steering groups have both parties and several signatories.
    ("hr2@example.org", "Henrik Åberg", ["hr_officer"], "Exempelstads kommun"),
    ("union2@example.org", "Veera Mäkelä", ["union_rep"], "JHL"),
    ("union3@example.org", "Björn Vikström", ["union_rep"], "Vision"),
]


@dataclass
class DemoContext:
    users: dict[str, User] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)

    def user(self, email: str) -> User:
        """The demo user with this address."""
        return self.users[email]

    def open_cases(self) -> list[Case]:
        """The demo cases that are not archived, oldest first."""
        return sorted((c for c in self.cases.values() if not c.is_archived), key=lambda c: c.id)
