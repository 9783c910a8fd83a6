from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "diary"
    verbose_name = "Diary cards"

    def ready(self) -> None:
        from diary import audit_registry, signals  # noqa: F401
