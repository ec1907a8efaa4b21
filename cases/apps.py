from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Case, Consent, Household, HouseholdFlag, Intake, Person, PersonDetails

        # Change history (who changed what, before and after). Search keys are derived.
        auditlog.register(Household, exclude_fields=["address_key"])
        auditlog.register(HouseholdFlag, m2m_fields={"persons"})
        auditlog.register(Person, exclude_fields=["name_key", "kana_key", "phone_key"])
        auditlog.register(PersonDetails)
        auditlog.register(Case, m2m_fields={"fields", "concerns", "projects"})
        auditlog.register(Intake, m2m_fields={"persons", "fields"})
        auditlog.register(Consent, m2m_fields={"hubs"})
