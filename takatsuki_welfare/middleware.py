"""Cross-cutting request handling: language, session lifetime, no caching of personal data."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

SIGNED_IN_AT = "signed_in_at"


class SessionLifetimeMiddleware:
    """Absolute cap on a session, counted from sign-in.

    The idle timeout is SESSION_COOKIE_AGE renewed on every request; this cap ends even an
    active session, so a forgotten tablet in a home visit does not stay signed in all day.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SIGNED_IN_AT)
            cap = settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
            if started is None:
                request.session[SIGNED_IN_AT] = now
            elif now - started > cap:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Pages shown to a signed-in user hold personal data: never cache them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class JapaneseFirstLocaleMiddleware(LocaleMiddleware):
    """Japanese unless the user chose another language with the switch (its cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; shared municipal
    PCs are often set up in English, and the city's working language is Japanese.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
