"""An e-mail backend for crash tests: it stops a worker process at a chosen point.

``WISEMIND_MAIL_STALL`` says where: ``before`` (the message is never handed over) or
``after`` (Django's file backend has written it to ``EMAIL_FILE_PATH``). Either way the
backend then touches ``WISEMIND_MAIL_MARKER`` and sleeps until the test kills the process.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend


class StallingBackend(EmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        where = os.environ.get("WISEMIND_MAIL_STALL", "before")
        sent = super().send_messages(email_messages) if where == "after" else 0
        Path(os.environ["WISEMIND_MAIL_MARKER"]).write_text(where)
        while True:  # until SIGKILL
            time.sleep(60)
        return sent  # pragma: no cover
