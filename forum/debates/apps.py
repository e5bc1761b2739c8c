from django.apps import AppConfig


class DebatesConfig(AppConfig):
    name = "forum.debates"
    label = "debates"
