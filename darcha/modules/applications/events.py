"""Names of the events the applications module publishes (payloads are JSON, ids as strings).

Every payload carries ``application_id``, ``number``, ``service``, ``agency`` and ``area``.
"""

# A new application; also "state" and "channel".
SUBMITTED = "applications.submitted"
# A workflow action was taken; also "action", "from_state", "to_state", "actor_kind",
# "notify_applicant" (whether the workflow tells the applicant about this step) and "outcome"
# (the decision when "to_state" is final: approved, rejected, withdrawn, referral,
# appointment; otherwise empty).
TRANSITIONED = "applications.transitioned"
# A decided application is still without its letter (decided before letters existed, or its
# letter's delivery ended dead): the periodic catch-up asks for it. Also "to_state", "outcome"
# and "notify_applicant" as in TRANSITIONED (true only when the applicant was never told).
RESULT_DUE = "applications.result_due"
# The deadline (or the current state's term) passed; the agency heads are told once.
ESCALATED = "applications.escalated"
# The applicant rated a completed application; also "stars".
RATED = "applications.rated"
