from django.apps import AppConfig


class ChainsConfig(AppConfig):
    name = "chains"
    verbose_name = "Chain analysis"

    def ready(self) -> None:
        from chains import audit_registry  # noqa: F401
