from django.apps import AppConfig


class DebatesConfig(AppConfig):
    name = "forum.debates"
    label = "debates"

    def ready(self):
        from forum.lib import csrf, ids

        csrf.install()
        ids.install()  # <id:…> in the URLconfs, read once the apps are ready
