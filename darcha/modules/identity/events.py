"""Names of the events the identity module publishes (payloads carry internal ids only)."""

ACCOUNT_REGISTERED = "identity.account_registered"  # {account_id, person_id}
PERSON_VERIFIED = "identity.person_verified"  # {person_id, account_id, officer_account_id}
ROLE_CHANGED = "identity.role_changed"  # {person_id, appointment_id, agency_code, scope_code, added, removed}
CONSENT_GIVEN = "identity.consent_given"  # {person_id, purpose}
CONSENT_WITHDRAWN = "identity.consent_withdrawn"  # {person_id, purpose}
CONTACT_CHANGED = "identity.contact_changed"  # {account_id, fields}
