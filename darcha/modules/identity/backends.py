from django.contrib.auth.backends import ModelBackend

from darcha.modules.identity.models import Account
from darcha.platform import db


class AccountBackend(ModelBackend):
    """Django's model backend, reading the signed-in account of every request without
    compiling a query for it (darcha.platform.db)."""

    def get_user(self, user_id):
        found = db.instances(Account, id=user_id)
        return found[0] if found and self.user_can_authenticate(found[0]) else None
