from django.urls import path

from ..views import outreach, plan

urlpatterns = [
    path("cases/<str:number>/outreach/", outreach.outreach_list, name="outreach_list"),
    path("cases/<str:number>/outreach/new/", outreach.outreach_create, name="outreach_create"),
    path("cases/<str:number>/plans/new/", plan.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plan.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plan.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/goals/new/", plan.plan_goal_add, name="plan_goal_add"),
    path("plans/goals/<int:pk>/edit/", plan.plan_goal_edit, name="plan_goal_edit"),
    path("plans/goals/<int:pk>/actions/new/", plan.plan_action_add, name="plan_action_add"),
    path("plans/actions/<int:pk>/edit/", plan.plan_action_edit, name="plan_action_edit"),
    path("plans/actions/<int:pk>/done/", plan.plan_action_done, name="plan_action_done"),
    path("plans/<int:pk>/submit/", plan.plan_submit, name="plan_submit"),
    path("plans/<int:pk>/endorse/", plan.plan_endorse, name="plan_endorse"),
    path("plans/<int:pk>/evaluate/", plan.plan_evaluate, name="plan_evaluate"),
    path("plans/<int:pk>/end/", plan.plan_end, name="plan_end"),
    path("plans/<int:pk>/new-version/", plan.plan_new_version, name="plan_new_version"),
    path("plans/<int:pk>/diff/", plan.plan_diff, name="plan_diff"),
    path("plans/<int:pk>/print/", plan.plan_print, name="plan_print"),
]
