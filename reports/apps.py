from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Progress reports"

    def ready(self) -> None:
        from reports import audit_registry  # noqa: F401
