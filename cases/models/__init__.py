from .case import (
    FOLLOW_UP_DAYS_BY_STAGE,
    OPEN_STAGES,
    Case,
    CaseHub,
    CasePerson,
    ClosureRequest,
    Engagement,
    NumberSequence,
    Stage,
    StageChange,
)
from .conference import (
    ActionItem,
    AgendaItem,
    Attendee,
    Conference,
    ConferenceHub,
    Convener,
    Decision,
    LegalType,
    MeetingType,
    MinutesVersion,
)
from .consent import Consent
from .household import Household, HouseholdFlag
from .intake import Intake, IntakeConcern
from .person import Person, PersonDetails
from .plan import PlanAction, PlanGoal, SupportPlan
from .record import NO_CONTACT_CODE, AccompanimentRecord, OutreachAttempt, RecordRevision

__all__ = [
    "FOLLOW_UP_DAYS_BY_STAGE",
    "NO_CONTACT_CODE",
    "OPEN_STAGES",
    "AccompanimentRecord",
    "ActionItem",
    "AgendaItem",
    "Attendee",
    "Case",
    "CaseHub",
    "CasePerson",
    "ClosureRequest",
    "Conference",
    "ConferenceHub",
    "Consent",
    "Convener",
    "Decision",
    "Engagement",
    "Household",
    "HouseholdFlag",
    "Intake",
    "IntakeConcern",
    "LegalType",
    "MeetingType",
    "MinutesVersion",
    "NumberSequence",
    "OutreachAttempt",
    "Person",
    "PersonDetails",
    "PlanAction",
    "PlanGoal",
    "RecordRevision",
    "Stage",
    "StageChange",
    "SupportPlan",
]
