import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class AccountManager(BaseUserManager):
    def create_user(self, username: str, password: str | None = None, **fields):
        account = self.model(username=username, **fields)
        account.set_password(password)
        account.save(using=self._db)
        return account

    def create_superuser(self, username: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(username, password, **fields)


class Account(AbstractBaseUser, PermissionsMixin):
    """A sign-in identity. ``username`` is the PINFL for persons.

    ``phone`` and ``email`` mirror the linked person's contact data; the phone is also a
    sign-in identifier, so it is unique among accounts.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(max_length=32, unique=True)
    phone = models.CharField(max_length=13, blank=True, default="", db_index=True)
    email = models.EmailField(blank=True, default="")
    language = models.CharField(max_length=8, default="uz")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    phone_confirmed_at = models.DateTimeField(null=True, blank=True)
    notify_sms = models.BooleanField(default=True)
    notify_email = models.BooleanField(default=True)
    notify_in_app = models.BooleanField(default=True)
    failed_sign_ins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True, default="")
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last accepted TOTP time step: a code of this step or an earlier one is refused.
    totp_last_step = models.BigIntegerField(default=0)

    objects = AccountManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="account_phone_unique"),
        ]

    def __str__(self) -> str:
        return self.username


class Person(models.Model):
    """A natural person known by PINFL; children and others may have no account."""

    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pinfl = models.CharField(max_length=14, unique=True)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    surname = models.CharField(max_length=60)
    given_name = models.CharField(max_length=60)
    patronymic = models.CharField(max_length=60, blank=True, default="")
    surname_cyrl = models.CharField(max_length=60, blank=True, default="")
    given_name_cyrl = models.CharField(max_length=60, blank=True, default="")
    patronymic_cyrl = models.CharField(max_length=60, blank=True, default="")
    document_number = models.CharField(max_length=9, blank=True, default="")
    phone = models.CharField(max_length=13, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    address_area = models.CharField(max_length=7, blank=True, default="")
    address_line = models.CharField(max_length=200, blank=True, default="")
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    account = models.OneToOneField(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["surname", "given_name"], name="person_name_idx")]

    def __str__(self) -> str:
        return str(self.id)


class Kinship(models.Model):
    """A parent and child as the civil registry records them."""

    parent = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="parent_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="kinship_uniq"),
            models.CheckConstraint(condition=~Q(parent=F("child")), name="kinship_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.parent_id} → {self.child_id}"


class LegalEntity(models.Model):
    class Form(models.TextChoices):
        LLC = "mchj", _("Limited liability company (MChJ)")
        JSC = "aj", _("Joint-stock company (AJ)")
        PRIVATE = "xk", _("Private enterprise (XK)")
        FARM = "fx", _("Farm (FX)")
        UNITARY = "duk", _("State unitary enterprise (DUK)")
        NGO = "nnt", _("Non-governmental non-profit organisation (NNT)")
        SOLE_PROPRIETOR = "yatt", _("Sole proprietor (YaTT)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    stir = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=200)
    legal_form = models.CharField(max_length=8, choices=Form.choices)
    address_area = models.CharField(max_length=7)
    address_line = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.stir


class Representation(models.Model):
    """A person who may act for a legal entity; the director is the one with that role."""

    class Role(models.TextChoices):
        DIRECTOR = "director", _("director")
        ACCOUNTANT = "accountant", _("accountant")
        REPRESENTATIVE = "representative", _("authorised representative")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="representations")
    entity = models.ForeignKey(LegalEntity, on_delete=models.CASCADE, related_name="representations")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "entity", "role"], name="representation_uniq"),
            models.UniqueConstraint(
                fields=["entity"], condition=Q(role="director"), name="representation_one_director"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} of {self.entity_id}"


class OfficerAppointment(models.Model):
    """A person working for an agency within an area (``17`` is the whole country)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="appointments")
    agency_code = models.CharField(max_length=64)
    scope_code = models.CharField(max_length=7)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "agency_code", "scope_code"], name="appointment_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.scope_code}"


class OfficerRole(models.Model):
    class Role(models.TextChoices):
        RECEIVER = "receiver", _("receiver")
        REVIEWER = "reviewer", _("reviewer")
        APPROVER = "approver", _("approver")
        HEAD = "head", _("head")
        AUDITOR = "auditor", _("auditor")
        SERVICE_CENTRE_OPERATOR = "service_centre_operator", _("service centre operator")
        PLATFORM_ADMIN = "platform_admin", _("platform administrator")

    appointment = models.ForeignKey(OfficerAppointment, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appointment", "role"], name="officer_role_uniq")]

    def __str__(self) -> str:
        return self.role


class OneTimeCode(models.Model):
    """A code sent by SMS; only its keyed hash is stored."""

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in"
        REGISTER = "register"
        PHONE_CHANGE = "phone_change"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    phone = models.CharField(max_length=13)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone", "created_at"], name="otp_phone_sent_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.id}"


class UserSession(models.Model):
    """One signed-in device, keyed by its Django session key."""

    session_key = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sessions")
    user_agent = models.CharField(max_length=300, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"session {self.id}"


class Consent(models.Model):
    """A consent given for a stated purpose; withdrawing keeps the row for the record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=40)
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.id}"
