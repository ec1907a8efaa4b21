"""URLs of the referrals app: the referral screens and inbox, and the coordination view."""

from . import coordination, screens

app_name = "referrals"
urlpatterns = [*screens.urlpatterns, *coordination.urlpatterns]
