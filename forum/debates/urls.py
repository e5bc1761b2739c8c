from django.urls import path

from .views import actions, me, pages

app_name = "debates"

urlpatterns = [
    path("debates/<slug:slug>/", pages.detail, name="detail"),
    path("debates/<slug:slug>/results/", pages.results, name="results"),
    path("debates/<slug:slug>/comments/", actions.comment_post, name="comment-post"),
    path("debates/<slug:slug>/vote/", actions.vote, name="vote"),
    path("debates/<slug:slug>/vote/withdraw/", actions.withdraw, name="vote-withdraw"),
    path("comments/<id:comment_id>/edit/", actions.comment_edit_view, name="comment-edit"),
    path("comments/<id:comment_id>/delete/", actions.comment_delete_view, name="comment-delete"),
    path("comments/<id:comment_id>/like/", actions.like, name="comment-like"),
    path("comments/<id:comment_id>/reply/", actions.reply, name="comment-reply"),
    path("comments/<id:comment_id>/report/", actions.report, name="comment-report"),
    path("me/", me.my_data, name="me"),
    path("me/download/", me.my_data_download, name="me-download"),
    path("me/erase/", me.my_data_erase, name="me-erase"),
    path("me/key/rotate/", me.key_rotate, name="key-rotate"),
    path("me/key/download/", me.key_download, name="key-download"),
    path("me/key/restore/", me.key_restore, name="key-restore"),
]
