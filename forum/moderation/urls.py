from django.urls import path

from .views import anomalies, audit, debates, people, polls, queue, rules

app_name = "moderation"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("comments/<id:comment_id>/decide/", queue.decide, name="decide"),
    path("bulk/", queue.bulk, name="bulk"),
    path("participants/<id:participant_id>/", people.participant, name="participant"),
    path("participants/<id:participant_id>/ban/", people.ban, name="ban"),
    path("participants/<id:participant_id>/unban/", people.unban, name="unban"),
    path("participants/<id:participant_id>/notes/", people.note, name="note"),
    path("rules/", rules.rules, name="rules"),
    path("rules/add/", rules.rule_add, name="rule-add"),
    path("rules/<id:rule_id>/delete/", rules.rule_remove, name="rule-delete"),
    path("rules/try/", rules.rule_try, name="rule-try"),
    path("debates/", debates.debates, name="debates"),
    path("debates/<id:debate_id>/settings/", debates.debate_settings, name="debate-settings"),
    path("debates/<id:debate_id>/poll/", polls.poll, name="poll"),
    path("anomalies/", anomalies.anomalies, name="anomalies"),
    path("anomalies/void/", anomalies.void, name="void"),
    path("audit/", audit.audit, name="audit"),
    path("audit/export.csv", audit.audit_export, {"fmt": "csv"}, name="audit-export-csv"),
    path("audit/export.json", audit.audit_export, {"fmt": "json"}, name="audit-export-json"),
]
