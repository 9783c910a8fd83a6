from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "care"
    verbose_name = "Patients and care teams"

    def ready(self) -> None:
        from care import audit_registry, signals  # noqa: F401
