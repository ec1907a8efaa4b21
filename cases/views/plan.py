"""支援プラン screens: a plan in versions, its goals and actions, status steps, the differences
between versions and the A4 print (プラン兼利用申込書).

Drafts (案) and plans under discussion (協議中) change; an endorsed version is a record: its edit
URLs refuse with a message and the page offers a new version instead.
"""

import difflib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from takatsuki_welfare.audit import Action, log_access
from takatsuki_welfare.concurrency import EditConflict

from .. import services_support
from ..forms.plan import ActionForm, EvaluateForm, GoalForm, PlanForm, VersionForm
from ..models import AgendaItem, CasePerson, Conference, PlanAction, PlanGoal, SupportPlan
from .case import _require_casework, _visible_case

Status = SupportPlan.Status


def _visible_plans(request):
    _require_casework(request)
    return SupportPlan.objects.visible_to(request.user)


def _plan(request, pk, *related):
    plans = _visible_plans(request).select_related("case__lead_hub", *related)
    return get_object_or_404(plans, pk=pk)


def _goals(plan):
    actions = PlanAction.objects.select_related("hub")
    return list(plan.goals.prefetch_related(Prefetch("actions", queryset=actions)))


def _to_plan(plan):
    return redirect("cases:plan_detail", pk=plan.pk)


def _refuse(request, plan):
    messages.error(
        request,
        _(
            "This version of the plan is %(status)s and can no longer be changed. "
            "Start a new version to change it."
        )
        % {"status": plan.get_status_display()},
    )
    return _to_plan(plan)


# Create and show ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_create(request, number):
    _require_casework(request)
    case = _visible_case(request, number)
    latest = case.plans.order_by("-number").first()
    if latest is not None:
        messages.info(
            request, _("This case has a plan already: continue it, or start a new version.")
        )
        return _to_plan(latest)
    form = PlanForm(request.POST or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services_support.plan_create(actor=request.user, case=case, **form.changes())
        except ValidationError as exc:
            form.add_error(None, exc)
        except IntegrityError:
            form.add_error(None, _("Someone else started a plan for this case just now."))
        else:
            log_access(request, Action.CREATE, plan, detail="plan started")
            messages.success(request, _("The plan was started. Add its goals and actions."))
            return _to_plan(plan)
    return render(request, "cases/plan_form.html", {"case": case, "form": form, "plan": None})


def _decorate_actions(request, plan, goals):
    """Flags for the template: overdue (in force, open, past due) and who may mark it done."""
    today = timezone.localdate()
    in_force = plan.status == Status.ENDORSED
    hub_id = request.membership.hub_id
    for goal in goals:
        for action in goal.actions.all():
            is_open = action.done_on is None
            action.is_overdue = in_force and is_open and action.due_on and action.due_on < today
            action.may_mark_done = (
                in_force and is_open and hub_id in (action.hub_id, plan.case.lead_hub_id)
            )


def _endorsing_item(user, plan):
    """The meeting that decided this plan, as far as the user may see it."""
    item = (
        AgendaItem.objects.visible_to(user)
        .filter(endorsed_plan=plan)
        .select_related("conference__meeting_type")
        .first()
    )
    if item is not None:
        item.minutes_visible = (
            Conference.objects.visible_to(user).filter(pk=item.conference_id).exists()
        )
    return item


def _render_detail(request, plan, *, evaluate_form=None, status=200):
    log_access(request, Action.VIEW, plan)
    goals = _goals(plan)
    _decorate_actions(request, plan, goals)
    membership = request.membership
    context = {
        "plan": plan,
        "case": plan.case,
        "long_goals": [g for g in goals if g.term == PlanGoal.Term.LONG],
        "short_goals": [g for g in goals if g.term == PlanGoal.Term.SHORT],
        "versions": plan.case.plans.order_by("number").only("pk", "number", "status", "case"),
        "next_plan": getattr(plan, "next_version", None),
        "may_endorse": membership.is_manager and membership.hub_id == plan.case.lead_hub_id,
        "endorsing_item": _endorsing_item(request.user, plan),
        "step_form": VersionForm(initial={"version": plan.version}),
        "evaluate_form": evaluate_form or EvaluateForm(initial={"version": plan.version}),
    }
    return render(request, "cases/plan_detail.html", context, status=status)


def plan_detail(request, pk):
    plan = _plan(
        request, pk, "consent__person", "endorsed_by_user", "created_by", "previous", "next_version"
    )
    return _render_detail(request, plan)


# Edit (drafts only) ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = _plan(request, pk)
    if not plan.is_editable:
        return _refuse(request, plan)
    status, conflict = 200, False
    form = PlanForm(request.POST or None, instance=plan, case=plan.case, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services_support.plan_update(
                actor=request.user,
                plan=plan,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except EditConflict as exc:
            form.add_error(None, exc.message)
            status, conflict = 409, True
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            log_access(request, Action.UPDATE, plan, detail="plan edited")
            messages.success(request, _("The plan was saved."))
            return _to_plan(plan)
    return render(
        request,
        "cases/plan_form.html",
        {"case": plan.case, "form": form, "plan": plan, "conflict": conflict},
        status=status,
    )


def _save_locked(plan, save):
    """Run a goal or action save with the plan row locked, so an endorsement cannot slip in
    between the editable check and the write."""
    with transaction.atomic():
        locked = SupportPlan.objects.select_for_update().get(pk=plan.pk)
        return save(locked)


def _goal_form(request, plan, goal):
    if not plan.is_editable:
        return _refuse(request, plan)
    initial = {} if goal else {"order": plan.goals.count() + 1}
    form = GoalForm(request.POST or None, instance=goal, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save_locked(
                plan,
                lambda locked: services_support.plan_goal_save(
                    actor=request.user, plan=locked, goal=goal, **form.changes()
                ),
            )
        except ValidationError:
            return _refuse(request, plan)
        action = Action.UPDATE if goal else Action.CREATE
        log_access(request, action, saved, detail=f"plan {plan.pk}")
        messages.success(request, _("The goal was saved."))
        return _to_plan(plan)
    return render(
        request,
        "cases/plan_goal_form.html",
        {"case": plan.case, "plan": plan, "goal": goal, "form": form},
    )


@require_http_methods(["GET", "POST"])
def plan_goal_add(request, pk):
    return _goal_form(request, _plan(request, pk), None)


def _visible_goal(request, pk):
    goals = PlanGoal.objects.filter(plan__in=_visible_plans(request))
    return get_object_or_404(goals.select_related("plan__case__lead_hub"), pk=pk)


@require_http_methods(["GET", "POST"])
def plan_goal_edit(request, pk):
    goal = _visible_goal(request, pk)
    return _goal_form(request, goal.plan, goal)


def _action_form(request, goal, action):
    plan = goal.plan
    if not plan.is_editable:
        return _refuse(request, plan)
    initial = {} if action else {"order": goal.actions.count() + 1}
    form = ActionForm(request.POST or None, instance=action, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save_locked(
                plan,
                lambda locked: services_support.plan_action_save(
                    actor=request.user,
                    goal=_with_plan(goal, locked),
                    action=action,
                    **form.changes(),
                ),
            )
        except ValidationError:
            return _refuse(request, plan)
        log_access(
            request, Action.UPDATE if action else Action.CREATE, saved, detail=f"plan {plan.pk}"
        )
        messages.success(request, _("The action was saved."))
        return _to_plan(plan)
    return render(
        request,
        "cases/plan_action_form.html",
        {"case": plan.case, "plan": plan, "goal": goal, "action": action, "form": form},
    )


def _with_plan(goal, plan):
    goal.plan = plan
    return goal


@require_http_methods(["GET", "POST"])
def plan_action_add(request, pk):
    return _action_form(request, _visible_goal(request, pk), None)


def _visible_action(request, pk):
    actions = PlanAction.objects.filter(goal__plan__in=_visible_plans(request))
    return get_object_or_404(actions.select_related("goal__plan__case__lead_hub", "hub"), pk=pk)


@require_http_methods(["GET", "POST"])
def plan_action_edit(request, pk):
    action = _visible_action(request, pk)
    return _action_form(request, action.goal, action)


@require_POST
def plan_action_done(request, pk):
    """Carrying out an endorsed plan: the responsible hub or the lead hub marks an action done."""
    action = _visible_action(request, pk)
    plan = action.goal.plan
    if plan.status != Status.ENDORSED:
        messages.error(request, _("Only actions of an endorsed plan are marked done."))
    elif action.done_on is not None:
        messages.info(request, _("This action is already marked done."))
    else:
        services_support.plan_action_done(actor=request.user, action=action)
        log_access(request, Action.UPDATE, action, detail=f"plan {plan.pk}: action done")
        messages.success(request, _("The action was marked done."))
    return _to_plan(plan)


# Status steps ------------------------------------------------------------------------------


def _step(request, plan, service, *, detail, success, **kwargs):
    """Run one status step on the version the user saw; a stale page gets a message."""
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, EditConflict.message)
        return _to_plan(plan)
    try:
        service(
            actor=request.user, plan=plan, expected_version=form.cleaned_data["version"], **kwargs
        )
    except EditConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        log_access(request, Action.UPDATE, plan, detail=detail)
        messages.success(request, success)
    return _to_plan(plan)


@require_POST
def plan_submit(request, pk):
    plan = _plan(request, pk)
    return _step(
        request,
        plan,
        services_support.plan_submit,
        detail="plan: draft -> discussing",
        success=_("The plan was put forward for discussion."),
    )


@require_POST
def plan_endorse(request, pk):
    plan = _plan(request, pk, "previous")
    replaced = plan.previous if plan.previous and plan.previous.status == Status.ENDORSED else None
    response = _step(
        request,
        plan,
        services_support.plan_endorse,
        detail="plan: discussing -> endorsed",
        success=_("The plan was endorsed (支援決定)."),
    )
    if replaced is not None:
        replaced.refresh_from_db(fields=["status"])
        if replaced.status == Status.ENDED:
            log_access(request, Action.UPDATE, replaced, detail="plan: replaced by a new version")
    return response


@require_POST
def plan_evaluate(request, pk):
    plan = _plan(request, pk)
    form = EvaluateForm(request.POST)
    if not form.is_valid():
        plan = _plan(
            request, pk, "consent__person", "endorsed_by_user", "created_by", "previous",
            "next_version",
        )  # fmt: skip
        return _render_detail(request, plan, evaluate_form=form)
    data = form.cleaned_data
    return _step(
        request,
        plan,
        services_support.plan_evaluate,
        detail=f"plan: evaluated ({data['evaluation']})",
        success=_("The evaluation was recorded."),
        evaluation=data["evaluation"],
        note=data["note"],
    )


@require_POST
def plan_end(request, pk):
    plan = _plan(request, pk)
    return _step(
        request,
        plan,
        services_support.plan_end,
        detail="plan: ended",
        success=_("The plan was ended."),
    )


@require_POST
def plan_new_version(request, pk):
    plan = _plan(request, pk)
    try:
        new = services_support.plan_new_version(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _to_plan(plan)
    except IntegrityError:
        messages.error(request, _("Someone else started a new version just now."))
        return _to_plan(plan)
    log_access(request, Action.CREATE, new, detail=f"new version of plan {plan.pk}")
    messages.success(
        request, _("Version %(number)s was started as a draft.") % {"number": new.number}
    )
    return _to_plan(new)


# Differences between versions --------------------------------------------------------------

TEXT_FIELDS = ("wishes", "issues", "long_term_goal")
OTHER_FIELDS = ("uses_participation", "uses_outreach", "review_on", "consent")
ACTION_FIELDS = ("hub", "person_in_charge", "frequency", "due_on", "done_on")


def _label(model, name):
    return model._meta.get_field(name).verbose_name


def _shown(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "person"):  # a consent
        return f"{value.person.full_name}: {value}"
    return getattr(value, "name", None) or str(value)


def line_diff(old, new):
    """The lines of two texts as added / removed / same (difflib's hint lines dropped)."""
    kinds = {"+ ": "added", "- ": "removed", "  ": "same"}
    return [
        {"kind": kinds[line[:2]], "text": line[2:]}
        for line in difflib.ndiff(old.splitlines(), new.splitlines())
        if line[:2] in kinds
    ]


def _pairs(old, new, key):
    """Align two ordered lists: (old, new) pairs, with None on the side an item is missing."""
    matcher = difflib.SequenceMatcher(a=[key(x) for x in old], b=[key(x) for x in new])
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = old[i1:i2], new[j1:j2]
        paired = min(len(olds), len(news)) if tag in ("equal", "replace") else 0
        yield from zip(olds[:paired], news[:paired], strict=True)
        yield from ((o, None) for o in olds[paired:])
        yield from ((None, n) for n in news[paired:])


def _status(old, new, changed):
    if old is None:
        return "added"
    if new is None:
        return "removed"
    return "changed" if changed else "same"


def _action_rows(old_actions, new_actions):
    rows = []
    for old, new in _pairs(old_actions, new_actions, key=lambda a: a.text):
        changes = []
        if old and new:
            changes = [
                {
                    "label": _label(PlanAction, name),
                    "old": _shown(getattr(old, name)),
                    "new": _shown(getattr(new, name)),
                }
                for name in ("text", *ACTION_FIELDS)
                if getattr(old, name) != getattr(new, name)
            ]
        rows.append(
            {"status": _status(old, new, changes), "old": old, "new": new, "changes": changes}
        )
    return rows


def goal_diff(old_goals, new_goals):
    rows = []
    for old, new in _pairs(old_goals, new_goals, key=lambda g: (g.term, g.text)):
        actions = _action_rows(
            list(old.actions.all()) if old else [], list(new.actions.all()) if new else []
        )
        text_changed = bool(old and new and (old.term, old.text) != (new.term, new.text))
        changed = text_changed or any(a["status"] != "same" for a in actions)
        rows.append(
            {
                "status": _status(old, new, changed),
                "old": old,
                "new": new,
                "text_changed": text_changed,
                "text_lines": line_diff(old.text, new.text) if text_changed else [],
                "actions": actions,
            }
        )
    return rows


def plan_diff_context(previous, plan):
    texts = [
        {
            "label": _label(SupportPlan, name),
            "changed": getattr(previous, name) != getattr(plan, name),
            "lines": line_diff(getattr(previous, name), getattr(plan, name)),
        }
        for name in TEXT_FIELDS
    ]
    others = [
        {
            "label": _label(SupportPlan, name),
            "old": _shown(getattr(previous, name)),
            "new": _shown(getattr(plan, name)),
        }
        for name in OTHER_FIELDS
        if getattr(previous, name) != getattr(plan, name)
    ]
    goals = goal_diff(_goals(previous), _goals(plan))
    return {
        "texts": texts,
        "others": others,
        "goals": goals,
        "has_changes": any(t["changed"] for t in texts)
        or bool(others)
        or any(g["status"] != "same" for g in goals),
    }


def plan_diff(request, pk):
    plan = _plan(request, pk, "consent__person", "previous__consent__person")
    context = {"plan": plan, "case": plan.case, "previous": plan.previous}
    if plan.previous is not None:
        context.update(plan_diff_context(plan.previous, plan))
    log_access(request, Action.VIEW, plan, detail="differences from the previous version")
    return render(request, "cases/plan_diff.html", context)


# Print -------------------------------------------------------------------------------------


def plan_print(request, pk):
    plan = _plan(
        request, pk, "case__household__area", "consent__person", "endorsed_by_user", "created_by"
    )
    goals = _goals(plan)
    persons = CasePerson.objects.filter(case=plan.case).select_related("person__relationship")
    log_access(request, Action.EXPORT, plan, detail="plan printed (プラン兼利用申込書)")
    return render(
        request,
        "cases/plan_print.html",
        {
            "plan": plan,
            "case": plan.case,
            "household": plan.case.household,
            "persons": persons,
            "goals": goals,
            "today": timezone.localdate(),
        },
    )
