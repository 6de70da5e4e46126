"""Gunicorn configuration for the process-kill tests (``-c python:<this module>``).

KILL_TEST_MODE chooses where a submission stops for the test to kill the server:
``in-transaction`` once the application and its event are written but not committed,
``after-commit`` once committed but before the response is sent.
"""

import os


def post_worker_init(worker):
    from darcha.modules.applications import api
    from darcha.modules.applications.tests.serverside import wait_for_the_test
    from darcha.platform.events import registry

    if os.environ["KILL_TEST_MODE"] == "in-transaction":
        publish = registry.publish

        def publish_then_wait(event_type, payload):
            event_id = publish(event_type, payload)
            if event_type == "applications.submitted":
                wait_for_the_test()
            return event_id

        registry.publish = publish_then_wait
    else:
        submit = api.submit

        def submit_then_wait(**kwargs):
            result = submit(**kwargs)
            wait_for_the_test()
            return result

        api.submit = submit_then_wait
