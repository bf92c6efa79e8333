from django.urls import path

from . import views

app_name = "comments"
urlpatterns = [
    path("roundups/<slug:slug>/comments/", views.create, name="create"),
    path("roundups/<slug:slug>/lock/", views.lock, name="lock"),
    path("comments/preview/", views.preview, name="preview"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/reply/", views.reply, name="reply"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/delete/", views.delete, name="delete"),
    path("comments/<int:pk>/vote/", views.vote, name="vote"),
    path("comments/<int:pk>/history/", views.history, name="history"),
    path("comments/<int:pk>/remove/", views.remove, name="remove"),
    path("comments/<int:pk>/restore/", views.restore, name="restore"),
    path("moderation/log/", views.moderation_log, name="moderation_log"),
    path("moderation/log/<int:pk>/", views.moderation_action, name="moderation_action"),
]
