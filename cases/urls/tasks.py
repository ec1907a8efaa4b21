from django.urls import path

from ..views import tasks

urlpatterns = [
    path("tasks/outreach/", tasks.tasks_outreach, name="tasks_outreach"),
    path("tasks/actions/", tasks.tasks_actions, name="tasks_actions"),
    path("tasks/reviews/", tasks.tasks_reviews, name="tasks_reviews"),
    path("tasks/meeting-actions/", tasks.tasks_meeting_actions, name="tasks_meeting_actions"),
]
