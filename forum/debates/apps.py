from django.apps import AppConfig


class DebatesConfig(AppConfig):
    name = "forum.debates"
    label = "debates"

    def ready(self):
        from forum.lib import csrf

        csrf.install()
