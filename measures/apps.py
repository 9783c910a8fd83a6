from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Measurement-based care"

    def ready(self) -> None:
        from measures import audit_registry  # noqa: F401
