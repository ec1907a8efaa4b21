from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "takatsuki_welfare"
    label = "core"
    verbose_name = _("Tsunagu core")
