"""URLs of the manager's review queue (承認待ち)."""

from django.urls import path

from ..views import review

urlpatterns = [
    path("review/", review.review_queue, name="review_queue"),
    path(
        "review/minutes/<int:pk>/approve/",
        review.review_minutes_approve,
        name="review_minutes_approve",
    ),
    path(
        "review/minutes/<int:pk>/return/",
        review.review_minutes_return,
        name="review_minutes_return",
    ),
    path("review/plans/<int:pk>/endorse/", review.review_plan_endorse, name="review_plan_endorse"),
    path("review/plans/<int:pk>/return/", review.review_plan_return, name="review_plan_return"),
    path(
        "review/closures/<int:pk>/approve/",
        review.review_closure_approve,
        name="review_closure_approve",
    ),
    path(
        "review/closures/<int:pk>/return/",
        review.review_closure_return,
        name="review_closure_return",
    ),
]
