"""Settings for the test suite: the one settings module, in ``test`` mode."""

import os

os.environ.setdefault("WISEMIND_ENV", "test")

from config.settings import *  # noqa: F403
