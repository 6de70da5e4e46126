import time

from darcha.modules.identity import api, services

# When this session was last recorded in the person's list of devices, kept in the session
# itself: the list is written at most once a minute, and the session (read for every signed-in
# request anyway) tells when without a query.
SEEN_KEY = "_darcha_seen"


class SessionTrackingMiddleware:
    """Keeps the list of a person's sessions up to date (see services.session_touch)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session_key = request.session.session_key if hasattr(request, "session") else None
        if user is not None and user.is_authenticated and session_key:
            now = time.time()
            if now - request.session.get(SEEN_KEY, 0) >= services.SESSION_TOUCH_SECONDS:
                services.session_touch(
                    account_id=user.pk,
                    session_key=session_key,
                    ip=api.client_ip(request),
                    user_agent=request.headers.get("User-Agent", ""),
                )
                request.session[SEEN_KEY] = now
        return self.get_response(request)
