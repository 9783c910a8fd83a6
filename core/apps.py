from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # The one authorization policy: every permission is declared in policy.rules.
        import policy.rules  # noqa: F401
