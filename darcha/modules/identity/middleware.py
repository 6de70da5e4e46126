import time

from darcha.modules.identity import api, services


class SessionTrackingMiddleware:
    """Keeps the list of a person's sessions up to date (see services.session_touch), at most
    once a minute per session: when it last did is kept in the session (api.SESSION_SEEN)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session_key = request.session.session_key if hasattr(request, "session") else None
        if user is not None and user.is_authenticated and session_key:
            now = time.time()
            if now - request.session.get(api.SESSION_SEEN, 0) >= services.SESSION_TOUCH_SECONDS:
                services.session_touch(
                    account_id=user.pk,
                    session_key=session_key,
                    ip=api.client_ip(request),
                    user_agent=request.headers.get("User-Agent", ""),
                )
                request.session[api.SESSION_SEEN] = now
        return self.get_response(request)
