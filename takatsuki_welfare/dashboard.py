"""The start page's work lists: what needs doing at the acting hub, in a few small queries."""

from django.db.models import F

from cases.models import Case, ClosureRequest, Intake

LIST_SIZE = 10


def work_lists(user, membership):
    """My open cases, intakes waiting at my hub and, for managers, closures to decide."""
    if membership is None or membership.is_volunteer:
        return {}
    lists = {
        "my_cases": Case.objects.visible_to(user)
        .open()
        .filter(main_worker=user)
        .for_list()
        .order_by(F("last_contact_on").asc(nulls_first=True), "id")[:LIST_SIZE],
        "incoming": Intake.objects.visible_to(user)
        .incoming_for(membership.hub)
        .select_related("hub")
        .order_by("received_at", "id")[:LIST_SIZE],
    }
    if membership.is_manager:
        lists["closures"] = (
            ClosureRequest.objects.filter(
                status=ClosureRequest.Status.PENDING, case__lead_hub=membership.hub
            )
            .select_related("case", "requested_by", "closure_reason")
            .order_by("requested_at", "id")[:LIST_SIZE]
        )
    return lists
