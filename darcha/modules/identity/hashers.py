from django.contrib.auth.hashers import Argon2PasswordHasher


class PasswordHasher(Argon2PasswordHasher):
    """Argon2id at the settings OWASP's password storage guidance recommends: 19 MiB of
    memory, two passes, one lane.

    Django's own defaults (100 MiB, two passes, eight lanes) cost about 200 ms of CPU per
    check on a two-core web machine and occupy both cores while they run, so on the morning
    an enrollment opens a few hundred sign-ins a minute would stall every other request;
    eight lanes buy nothing on machines with fewer cores. These settings cost about 20 ms.
    The algorithm name stays ``argon2``: passwords stored with other settings still verify
    and are stored again with these at their next sign-in (``must_update``)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
