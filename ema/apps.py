from django.apps import AppConfig


class EmaConfig(AppConfig):
    name = "ema"
    verbose_name = "Momentary assessment (EMA)"

    def ready(self) -> None:
        from ema import audit_registry, signals  # noqa: F401
