from .case import (
    OPEN_STAGES,
    Case,
    CaseHub,
    CasePerson,
    ClosureRequest,
    NumberSequence,
    Stage,
    StageChange,
)
from .consent import Consent
from .household import Household, HouseholdFlag
from .intake import Intake, IntakeConcern
from .person import Person, PersonDetails

__all__ = [
    "OPEN_STAGES",
    "Case",
    "CaseHub",
    "CasePerson",
    "ClosureRequest",
    "Consent",
    "Household",
    "HouseholdFlag",
    "Intake",
    "IntakeConcern",
    "NumberSequence",
    "Person",
    "PersonDetails",
    "Stage",
    "StageChange",
]
