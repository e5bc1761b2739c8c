"""Public pages of the moderation app: authors' status and appeals, transparency."""

from django.urls import path

from .views import public

app_name = "moderation-public"

urlpatterns = [
    path("transparency/", public.transparency, name="transparency"),
    path("comments/mine/", public.my_comments, name="my-comments"),
    path("comments/<id:comment_id>/status/", public.comment_status, name="comment-status"),
]
