"""支援プラン screens: drafting, the status steps, read-only endorsed versions, new versions and
their differences, actions carried out, the A4 print, and who may do what."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services_support
from cases.models import PlanAction, PlanGoal, SupportPlan
from hubs.models import Role
from takatsuki_welfare.concurrency import EditConflict
from takatsuki_welfare.models import AccessLog, Notification

from .factories import CaseFactory, ConsentFactory, HubFactory, PersonFactory, PlanFactory

pytestmark = pytest.mark.django_db

Status = SupportPlan.Status
WISHES = "「息子のことが心配。自分がいなくなった後が不安」（母）"


def today():
    return timezone.localdate()


@pytest.fixture
def manager(make_member, hub):
    return make_member(Role.MANAGER, hub)


@pytest.fixture
def case(hub):
    return CaseFactory(household__registered_hub=hub)


@pytest.fixture
def draft(case, staff, hub):
    plan = services_support.plan_create(actor=staff, case=case, wishes=WISHES)
    goal = services_support.plan_goal_save(
        actor=staff, plan=plan, term=PlanGoal.Term.SHORT, text="長男が週1回外出できる", order=1
    )
    services_support.plan_action_save(
        actor=staff, goal=goal, text="CSWが週1回訪問する", hub=hub,
        person_in_charge="高槻 花子", frequency="週1回", due_on=today() + datetime.timedelta(30),
    )  # fmt: skip
    return plan


def endorse(plan, staff, manager):
    services_support.plan_submit(actor=staff, plan=plan)
    return services_support.plan_endorse(actor=manager, plan=plan)


@pytest.fixture
def endorsed(draft, staff, manager):
    return endorse(draft, staff, manager)


def u(name, *args):
    return reverse(f"cases:{name}", args=args)


def step(client, name, plan, **data):
    plan.refresh_from_db()
    return client.post(u(name, plan.pk), {"version": plan.version, **data})


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# Starting and editing a draft --------------------------------------------------------------


def test_it_starts_the_first_plan(client_as, staff, case, hub):
    consent = ConsentFactory(person=case.primary_person, hubs=[hub])
    response = client_as(staff).post(
        u("plan_create", case.number),
        {
            "wishes": WISHES,
            "issues": "母の介護負担と長男のひきこもり",
            "long_term_goal": "親子が地域で安心して暮らせる",
            "uses_outreach": "on",
            "review_on": (today() + datetime.timedelta(90)).isoformat(),
            "consent": consent.pk,
        },
    )
    plan = SupportPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == u("plan_detail", plan.pk)
    assert (plan.case, plan.number, plan.status, plan.created_by) == (case, 1, Status.DRAFT, staff)
    assert (plan.wishes, plan.uses_outreach, plan.uses_participation) == (WISHES, True, False)
    assert plan.consent == consent
    entry = AccessLog.objects.get(action=AccessLog.Action.CREATE)
    assert (entry.object_type, entry.object_id) == ("supportplan", str(plan.pk))


def test_it_requires_the_wishes_and_keeps_the_input(client_as, staff, case):
    response = client_as(staff).post(
        u("plan_create", case.number), {"wishes": "", "issues": "経済的困窮"}
    )
    assert response.status_code == 200
    assert "wishes" in response.context["form"].errors
    assert "経済的困窮" in response.content.decode()
    assert not SupportPlan.objects.exists()


def test_it_offers_only_valid_consents_of_the_case_persons(client_as, staff, case, hub):
    valid = ConsentFactory(person=case.primary_person, hubs=[hub])
    ConsentFactory(
        person=case.primary_person, hubs=[hub], obtained_on=datetime.date(2024, 1, 1),
        withdrawn_on=datetime.date(2024, 6, 1),
    )  # fmt: skip
    ConsentFactory(person=PersonFactory(household=case.household), hubs=[hub])
    form = client_as(staff).get(u("plan_create", case.number)).context["form"]
    assert list(form.fields["consent"].queryset) == [valid]


def test_it_sends_a_second_start_to_the_existing_plan(client_as, staff, case, draft):
    response = client_as(staff).post(u("plan_create", case.number), {"wishes": "別の意向"})
    assert response["Location"] == u("plan_detail", draft.pk)
    assert SupportPlan.objects.count() == 1


def test_it_edits_a_draft_and_logs_it(client_as, staff, draft):
    client = client_as(staff)
    form = client.get(u("plan_edit", draft.pk)).context["form"]
    data = {**{k: v for k, v in form.initial.items() if v is not None}, "consent": ""}
    data.update(wishes="「家で穏やかに暮らしたい」", version=draft.version)
    response = client.post(u("plan_edit", draft.pk), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.wishes == "「家で穏やかに暮らしたい」"
    assert AccessLog.objects.filter(action=AccessLog.Action.UPDATE, object_id=str(draft.pk))


def test_it_refuses_a_stale_edit_and_keeps_the_typed_text(client_as, staff, draft):
    client = client_as(staff)
    seen = draft.version
    services_support.plan_update(
        actor=staff, plan=draft, expected_version=seen, issues="他の職員が更新"
    )
    response = client.post(
        u("plan_edit", draft.pk), {"wishes": "私の入力した意向", "issues": "", "version": seen}
    )
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()
    assert "私の入力した意向" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.wishes, draft.issues) == (WISHES, "他の職員が更新")


def test_it_adds_and_edits_goals_and_actions(client_as, staff, draft, other_hub):
    client = client_as(staff)
    response = client.post(
        u("plan_goal_add", draft.pk), {"term": "long", "text": "地域とのつながりを回復", "order": 2}
    )
    assert response["Location"] == u("plan_detail", draft.pk)
    goal = draft.goals.get(term=PlanGoal.Term.LONG)
    client.post(u("plan_goal_edit", goal.pk), {"term": "long", "text": "社会参加", "order": 2})
    goal.refresh_from_db()
    assert goal.text == "社会参加"
    due = (today() + datetime.timedelta(60)).isoformat()
    client.post(
        u("plan_action_add", goal.pk),
        {"text": "就労準備支援につなぐ", "hub": other_hub.pk, "person_in_charge": "",
         "frequency": "月1回", "due_on": due, "order": 1},
    )  # fmt: skip
    action = goal.actions.get()
    assert (action.hub, action.frequency, action.due_on.isoformat()) == (other_hub, "月1回", due)
    client.post(
        u("plan_action_edit", action.pk),
        {"text": "就労準備支援につなぐ", "hub": other_hub.pk, "person_in_charge": "山本",
         "frequency": "月2回", "due_on": due, "order": 1},
    )  # fmt: skip
    action.refresh_from_db()
    assert (action.person_in_charge, action.frequency) == ("山本", "月2回")
    creates = AccessLog.objects.filter(action=AccessLog.Action.CREATE)
    assert {e.object_type for e in creates} == {"plangoal", "planaction"}


def test_it_offers_only_active_hubs_for_an_action(client_as, staff, draft, other_hub):
    retired = HubFactory(active=False)
    goal = draft.goals.get()
    form = client_as(staff).get(u("plan_action_add", goal.pk)).context["form"]
    hubs = set(form.fields["hub"].queryset)
    assert other_hub in hubs and retired not in hubs


# Status steps ------------------------------------------------------------------------------


def test_it_goes_from_draft_to_endorsed_by_the_lead_hubs_manager(client_as, staff, manager, draft):
    response = step(client_as(staff), "plan_submit", draft)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.DISCUSSING
    step(client_as(manager), "plan_endorse", draft)
    draft.refresh_from_db()
    assert draft.status == Status.ENDORSED
    assert (draft.endorsed_on, draft.endorsed_by_user) == (today(), manager)
    assert AccessLog.objects.filter(action=AccessLog.Action.UPDATE, object_id=str(draft.pk)).count()


def test_it_refuses_to_put_forward_a_plan_without_goals(client_as, staff, case):
    plan = services_support.plan_create(actor=staff, case=case, wishes=WISHES)
    response = step(client_as(staff), "plan_submit", plan)
    assert response.status_code == 302
    assert messages_of(response)
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT


def test_staff_may_not_endorse(client_as, staff, draft):
    services_support.plan_submit(actor=staff, plan=draft)
    assert step(client_as(staff), "plan_endorse", draft).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DISCUSSING


def test_another_hubs_manager_may_not_endorse(client_as, make_member, staff, draft, other_hub):
    services_support.plan_submit(actor=staff, plan=draft)
    other_manager = make_member(Role.MANAGER, other_hub)
    assert step(client_as(other_manager), "plan_endorse", draft).status_code == 404
    draft.case.hub_links.create(hub=other_hub)  # taking part does not make them the lead
    assert step(client_as(other_manager), "plan_endorse", draft).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DISCUSSING


def test_the_lead_hubs_manager_returns_a_plan_with_a_comment_until_it_is_put_forward_again(
    client_as, staff, manager, draft
):
    services_support.plan_submit(actor=staff, plan=draft)
    returned = services_support.plan_return(
        actor=manager, plan=draft, comment="短期目標を具体的に", expected_version=draft.version + 1
    )
    assert (returned.status, returned.return_comment) == (Status.DRAFT, "短期目標を具体的に")
    assert Notification.objects.filter(recipient=staff, url=u("plan_detail", draft.pk)).count() == 1
    page = client_as(staff).get(u("plan_detail", draft.pk)).content.decode()
    assert 'data-testid="plan-return-comment"' in page and "短期目標を具体的に" in page
    services_support.plan_submit(actor=staff, plan=draft)
    draft.refresh_from_db()
    assert (draft.status, draft.return_comment) == (Status.DISCUSSING, "")
    page = client_as(staff).get(u("plan_detail", draft.pk)).content.decode()
    assert 'data-testid="plan-return-comment"' not in page


def test_returning_a_plan_needs_the_lead_hubs_manager_a_comment_and_a_plan_under_discussion(
    make_member, staff, manager, draft, other_hub
):
    with pytest.raises(ValidationError):
        services_support.plan_return(actor=manager, plan=draft, comment="早すぎる")
    services_support.plan_submit(actor=staff, plan=draft)
    draft.case.hub_links.create(hub=other_hub)
    for outsider in (staff, make_member(Role.MANAGER, other_hub)):
        with pytest.raises(PermissionDenied):
            services_support.plan_return(actor=outsider, plan=draft, comment="修正を")
    with pytest.raises(ValidationError) as refused:
        services_support.plan_return(actor=manager, plan=draft, comment="  ")
    assert "comment" in refused.value.message_dict
    with pytest.raises(EditConflict):
        services_support.plan_return(
            actor=manager, plan=draft, comment="修正を", expected_version=draft.version
        )
    draft.refresh_from_db()
    assert (draft.status, draft.return_comment) == (Status.DISCUSSING, "")


def test_a_step_on_a_stale_page_changes_nothing(client_as, staff, draft):
    client = client_as(staff)
    response = client.post(u("plan_submit", draft.pk), {"version": draft.version + 5})
    assert response.status_code == 302
    assert messages_of(response)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_it_evaluates_and_ends_an_endorsed_plan(client_as, staff, endorsed):
    client = client_as(staff)
    step(client, "plan_evaluate", endorsed, evaluation="partly", note="外出は月2回に留まる")
    endorsed.refresh_from_db()
    assert (endorsed.status, endorsed.evaluation) == (Status.EVALUATED, "partly")
    assert (endorsed.evaluation_note, endorsed.evaluated_on) == ("外出は月2回に留まる", today())
    step(client, "plan_end", endorsed)
    endorsed.refresh_from_db()
    assert endorsed.status == Status.ENDED


def test_it_shows_the_evaluation_form_again_on_a_missing_evaluation(client_as, staff, endorsed):
    response = step(client_as(staff), "plan_evaluate", endorsed, note="メモ")
    assert response.status_code == 200
    assert "evaluation" in response.context["evaluate_form"].errors
    endorsed.refresh_from_db()
    assert endorsed.status == Status.ENDORSED


# Endorsed versions are read-only -----------------------------------------------------------


def test_the_edit_urls_of_an_endorsed_plan_refuse(client_as, staff, endorsed, hub):
    goal = endorsed.goals.get()
    action = goal.actions.get()
    client = client_as(staff)
    attempts = [
        ("plan_edit", endorsed.pk, {"wishes": "書き換え", "version": endorsed.version}),
        ("plan_goal_add", endorsed.pk, {"term": "short", "text": "追加", "order": 9}),
        ("plan_goal_edit", goal.pk, {"term": "short", "text": "書き換え", "order": 1}),
        ("plan_action_add", goal.pk, {"text": "追加", "hub": hub.pk, "order": 9}),
        ("plan_action_edit", action.pk, {"text": "書き換え", "hub": hub.pk, "order": 1}),
    ]
    for name, pk, data in attempts:
        for response in (client.get(u(name, pk)), client.post(u(name, pk), data)):
            assert response.status_code == 302, name
            assert response["Location"] == u("plan_detail", endorsed.pk)
            assert messages_of(response), name
    endorsed.refresh_from_db()
    goal.refresh_from_db()
    action.refresh_from_db()
    assert (endorsed.wishes, goal.text, action.text) == (
        WISHES,
        "長男が週1回外出できる",
        "CSWが週1回訪問する",
    )
    assert PlanGoal.objects.count() == 1 and PlanAction.objects.count() == 1


def test_a_new_version_copies_goals_and_actions_and_replaces_the_old_on_endorsement(
    client_as, staff, manager, endorsed
):
    response = client_as(staff).post(u("plan_new_version", endorsed.pk))
    new = SupportPlan.objects.get(number=2)
    assert response["Location"] == u("plan_detail", new.pk)
    assert (new.previous, new.status, new.wishes) == (endorsed, Status.DRAFT, WISHES)
    assert [(g.term, g.text) for g in new.goals.all()] == [("short", "長男が週1回外出できる")]
    copied = PlanAction.objects.get(goal__plan=new)
    assert (copied.text, copied.frequency) == ("CSWが週1回訪問する", "週1回")
    endorsed.refresh_from_db()
    assert endorsed.status == Status.ENDORSED  # still in force until the new one is endorsed
    step(client_as(staff), "plan_submit", new)
    step(client_as(manager), "plan_endorse", new)
    endorsed.refresh_from_db()
    new.refresh_from_db()
    assert (endorsed.status, new.status) == (Status.ENDED, Status.ENDORSED)
    assert AccessLog.objects.filter(
        action=AccessLog.Action.UPDATE, object_id=str(endorsed.pk), detail__contains="replaced"
    ).exists()


def test_the_detail_offers_a_new_version_only_on_the_latest_read_only_version(
    client_as, staff, endorsed
):
    client = client_as(staff)
    new_version_url = u("plan_new_version", endorsed.pk)
    assert new_version_url in client.get(u("plan_detail", endorsed.pk)).content.decode()
    client.post(new_version_url)
    html = client.get(u("plan_detail", endorsed.pk)).content.decode()
    assert new_version_url not in html
    new = SupportPlan.objects.get(number=2)
    assert u("plan_detail", new.pk) in html  # the next version is linked
    assert client.post(new_version_url).status_code == 302
    assert SupportPlan.objects.count() == 2


# Differences -------------------------------------------------------------------------------


def test_the_diff_shows_what_changed(client_as, staff, endorsed, other_hub):
    new = services_support.plan_new_version(actor=staff, plan=endorsed)
    services_support.plan_update(
        actor=staff, plan=new, expected_version=new.version,
        wishes=WISHES + "\n「息子と一緒に買い物に行きたい」（母）", uses_participation=True,
    )  # fmt: skip
    goal = new.goals.get()
    action = goal.actions.get()
    services_support.plan_action_save(actor=staff, goal=goal, action=action, frequency="週2回")
    services_support.plan_goal_save(
        actor=staff, plan=new, term=PlanGoal.Term.LONG, text="就労に向けた準備", order=2
    )
    services_support.plan_action_save(
        actor=staff, goal=goal, text="居場所（参加支援）を紹介する", hub=other_hub, order=2
    )
    response = client_as(staff).get(u("plan_diff", new.pk))
    assert response.status_code == 200
    context = response.context
    wishes = context["texts"][0]
    assert wishes["changed"]
    assert {"kind": "added", "text": "「息子と一緒に買い物に行きたい」（母）"} in wishes["lines"]
    assert [row["label"] for row in context["others"]] == [
        SupportPlan._meta.get_field("uses_participation").verbose_name
    ]
    statuses = {(g["new"] or g["old"]).text: g["status"] for g in context["goals"]}
    assert statuses == {"長男が週1回外出できる": "changed", "就労に向けた準備": "added"}
    changed = next(g for g in context["goals"] if g["status"] == "changed")
    actions = {(a["new"] or a["old"]).text: a for a in changed["actions"]}
    assert actions["居場所（参加支援）を紹介する"]["status"] == "added"
    visit = actions["CSWが週1回訪問する"]
    assert visit["status"] == "changed"
    assert [(c["old"], c["new"]) for c in visit["changes"]] == [("週1回", "週2回")]
    html = response.content.decode()
    assert "「息子と一緒に買い物に行きたい」（母）" in html and "<ins>" in html
    assert context["has_changes"]


def test_the_diff_shows_removed_lines_and_goals(client_as, staff, endorsed):
    new = services_support.plan_new_version(actor=staff, plan=endorsed)
    services_support.plan_update(
        actor=staff, plan=new, expected_version=new.version, wishes="「一人で頑張りたい」"
    )
    new.goals.get().delete()  # a draft's goal may be dropped
    context = client_as(staff).get(u("plan_diff", new.pk)).context
    assert {"kind": "removed", "text": WISHES} in context["texts"][0]["lines"]
    assert [g["status"] for g in context["goals"]] == ["removed"]


def test_the_diff_of_a_first_version_says_there_is_nothing_to_compare(client_as, staff, draft):
    response = client_as(staff).get(u("plan_diff", draft.pk))
    assert response.status_code == 200
    assert response.context["previous"] is None


# Carrying out ------------------------------------------------------------------------------


def test_the_responsible_hub_marks_an_action_done(
    client_as, make_member, staff, manager, case, other_hub
):
    case.hub_links.create(hub=other_hub)
    plan = services_support.plan_create(actor=staff, case=case, wishes=WISHES)
    goal = services_support.plan_goal_save(actor=staff, plan=plan, text="家計の安定", order=1)
    action = services_support.plan_action_save(
        actor=staff, goal=goal, text="家計相談", hub=other_hub
    )
    third = HubFactory()
    case.hub_links.create(hub=third)
    client = client_as(make_member(Role.STAFF, other_hub))
    client.post(u("plan_action_done", action.pk))  # not yet endorsed: refused
    action.refresh_from_db()
    assert action.done_on is None
    endorse(plan, staff, manager)
    assert (
        client_as(make_member(Role.STAFF, third)).post(u("plan_action_done", action.pk)).status_code
        == 403
    )
    response = client_as(make_member(Role.STAFF, other_hub)).post(u("plan_action_done", action.pk))
    assert response["Location"] == u("plan_detail", plan.pk)
    action.refresh_from_db()
    assert action.done_on == today()
    assert AccessLog.objects.filter(object_type="planaction", object_id=str(action.pk)).exists()


def test_the_lead_hub_may_mark_another_hubs_action_done(client_as, staff, manager, case, other_hub):
    case.hub_links.create(hub=other_hub)
    plan = services_support.plan_create(actor=staff, case=case, wishes=WISHES)
    goal = services_support.plan_goal_save(actor=staff, plan=plan, text="家計の安定", order=1)
    action = services_support.plan_action_save(
        actor=staff, goal=goal, text="家計相談", hub=other_hub
    )
    endorse(plan, staff, manager)
    client_as(staff).post(u("plan_action_done", action.pk))
    action.refresh_from_db()
    assert action.done_on == today()


def test_it_highlights_overdue_actions(client_as, staff, endorsed, hub):
    goal = endorsed.goals.get()
    on_time = goal.actions.get()
    late = PlanAction.objects.create(
        goal=goal, text="主治医と連絡をとる", hub=hub, due_on=today() - datetime.timedelta(1)
    )
    response = client_as(staff).get(u("plan_detail", endorsed.pk))
    actions = {a.pk: a for g in response.context["short_goals"] for a in g.actions.all()}
    assert actions[late.pk].is_overdue and not actions[on_time.pk].is_overdue
    assert response.content.decode().count('data-testid="overdue"') == 1


def test_a_done_action_is_not_overdue(client_as, staff, endorsed, hub):
    PlanAction.objects.create(
        goal=endorsed.goals.get(), text="済", hub=hub,
        due_on=today() - datetime.timedelta(5), done_on=today() - datetime.timedelta(6),
    )  # fmt: skip
    html = client_as(staff).get(u("plan_detail", endorsed.pk)).content.decode()
    assert 'data-testid="overdue"' not in html


# Detail, print, case page ------------------------------------------------------------------


def test_the_detail_shows_the_plan_and_logs_the_view(client_as, staff, endorsed, hub):
    response = client_as(staff).get(u("plan_detail", endorsed.pk))
    html = response.content.decode()
    for text in (WISHES, "長男が週1回外出できる", "CSWが週1回訪問する", hub.name, "週1回"):
        assert text in html, text
    entry = AccessLog.objects.get(action=AccessLog.Action.VIEW)
    assert (entry.object_type, entry.object_id) == ("supportplan", str(endorsed.pk))


def test_the_print_page_has_the_wishes_and_the_signature_line(client_as, staff, endorsed, hub):
    response = client_as(staff).get(u("plan_print", endorsed.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert WISHES in html
    assert 'data-testid="signature-line"' in html
    assert "css/plan-print.css" in html
    assert 'class="site-nav"' not in html
    for text in (
        endorsed.case.number,
        endorsed.case.primary_person.full_name,
        "CSWが週1回訪問する",
    ):
        assert text in html
    entry = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (entry.object_type, entry.object_id) == ("supportplan", str(endorsed.pk))


def test_the_print_page_signature_line_in_english(client_as, staff, endorsed, settings):
    client = client_as(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(u("plan_print", endorsed.pk)).content.decode()
    assert "I agree to the plan above and apply to use the support." in html


def test_the_case_page_shows_the_current_plan(client_as, staff, case, endorsed):
    client = client_as(staff)
    response = client.get(u("case_detail", case.number))
    assert (response.context["current_plan"], response.context["plan_in_force"]) == (
        endorsed, None,
    )  # fmt: skip
    assert u("plan_detail", endorsed.pk) in response.content.decode()
    new = services_support.plan_new_version(actor=staff, plan=endorsed)
    response = client.get(u("case_detail", case.number))
    assert (response.context["current_plan"], response.context["plan_in_force"]) == (
        new, endorsed,
    )  # fmt: skip
    html = response.content.decode()
    assert u("plan_detail", new.pk) in html and u("plan_diff", new.pk) in html


def test_the_case_page_offers_to_start_a_plan(client_as, staff, case):
    html = client_as(staff).get(u("case_detail", case.number)).content.decode()
    assert u("plan_create", case.number) in html


def test_it_escapes_script_in_the_plan(client_as, staff, case, hub, manager):
    plan = services_support.plan_create(actor=staff, case=case, wishes="<script>alert(1)</script>")
    goal = services_support.plan_goal_save(
        actor=staff, plan=plan, text="<script>alert(2)</script>", order=1
    )
    services_support.plan_action_save(
        actor=staff, goal=goal, text="<script>alert(3)</script>", hub=hub
    )
    client = client_as(staff)
    for name in ("plan_detail", "plan_print"):
        html = client.get(u(name, plan.pk)).content.decode()
        assert "<script>alert(" not in html
        for n in (1, 2, 3):
            assert f"&lt;script&gt;alert({n})&lt;/script&gt;" in html
    plan = endorse(plan, staff, manager)
    new = services_support.plan_new_version(actor=staff, plan=plan)
    services_support.plan_update(
        actor=staff, plan=new, expected_version=new.version, wishes="<script>alert(4)</script>"
    )
    html = client.get(u("plan_diff", new.pk)).content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in html


def _plan_with(case, hub, user, n):
    plan = PlanFactory(case=case, created_by=user)
    for g in range(n):
        goal = PlanGoal.objects.create(plan=plan, text=f"目標{g}", order=g)
        for a in range(n):
            PlanAction.objects.create(
                goal=goal, text=f"行動{g}-{a}", hub=HubFactory() if a % 2 else hub,
                due_on=today() - datetime.timedelta(a),
            )  # fmt: skip
    plan.status = Status.ENDORSED
    plan.save()
    return plan


def test_the_detail_query_count_does_not_grow_with_goals_and_actions(
    client_as, staff, hub, count_queries
):
    small = _plan_with(CaseFactory(household__registered_hub=hub), hub, staff, 1)
    large = _plan_with(CaseFactory(household__registered_hub=hub), hub, staff, 10)
    client = client_as(staff)
    client.get(u("plan_detail", small.pk))
    one = count_queries(lambda: client.get(u("plan_detail", small.pk)))
    ten = count_queries(lambda: client.get(u("plan_detail", large.pk)))
    assert one == ten


# Who may -----------------------------------------------------------------------------------


def every_url(plan):
    goal = plan.goals.get()
    action = goal.actions.get()
    case = plan.case.number
    gets = [
        u("plan_create", case), u("plan_detail", plan.pk), u("plan_edit", plan.pk),
        u("plan_goal_add", plan.pk), u("plan_goal_edit", goal.pk),
        u("plan_action_add", goal.pk), u("plan_action_edit", action.pk),
        u("plan_diff", plan.pk), u("plan_print", plan.pk),
    ]  # fmt: skip
    posts = [
        u("plan_submit", plan.pk), u("plan_endorse", plan.pk), u("plan_evaluate", plan.pk),
        u("plan_end", plan.pk), u("plan_new_version", plan.pk), u("plan_action_done", action.pk),
    ]  # fmt: skip
    return gets, posts


@pytest.mark.parametrize("kind", ["volunteer", "other_staff", "other_manager", "coordinator"])
def test_every_plan_url_is_not_found_outside_the_policy(client_as, make_member, draft, hub,
                                                        other_hub, kind):  # fmt: skip
    user = {
        "volunteer": lambda: make_member(Role.VOLUNTEER, hub),
        "other_staff": lambda: make_member(Role.STAFF, other_hub),
        "other_manager": lambda: make_member(Role.MANAGER, other_hub),
        "coordinator": lambda: make_member(Role.COORDINATOR, HubFactory()),
    }[kind]()
    client = client_as(user)
    gets, posts = every_url(draft)
    statuses = {url: client.get(url).status_code for url in gets}
    statuses.update({url: client.post(url, {"version": 1}).status_code for url in posts})
    assert statuses == dict.fromkeys(statuses, 404)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_every_plan_page_sends_anonymous_users_to_sign_in(client, draft):
    gets, posts = every_url(draft)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url
    for url in posts:
        assert client.post(url).status_code == 302, url


def test_the_status_steps_take_only_post(client_as, staff, draft):
    _gets, posts = every_url(draft)
    client = client_as(staff)
    assert {client.get(url).status_code for url in posts} == {405}
