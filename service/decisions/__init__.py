"""Panel decisions: what the chair decided for a listed case, versioned, with delivery states.

Plain functions taking a SQLAlchemy session (no Flask), callable from views, the CLI and
jobs. Recording and delivery marks add an audit event and commit.

Public API (what letters, notices, summaries, tracking forms and the deadline list build on)::

    from service.decisions import operations as decisions
    from service.decisions.model import ActionInput, DecisionInput, DecisionState

    decisions.record_decision(session, case_id, DecisionInput(...), *, actor, now=None, store=None)
        -> Decision
        # with store, the family's tracking form is then stored as a new version
        # validates against the case's panel profile (DecisionRuleBroken, 422, message says
        # which rule); a second call for the same case adds version n+1 and marks the
        # previous row superseded (earlier versions are kept, never edited); sets the
        # support plan's review date (listing.set_review_due(..., source="decision")).
    decisions.current_decision(session, case_id) -> Decision | None      # latest version
    decisions.decision_versions(session, case_id) -> list[Decision]      # oldest first
    decisions.get_decision(session, decision_id) -> Decision             # DecisionNotFound (404)
    decisions.decisions_for_meeting(session, meeting_id) -> list[Decision]  # current versions,
        # in the meeting's listing order
    decisions.mark_notified(session, decision_id, *, actor, at=None) -> Decision
        # the family/referrer was told (link e-mailed, or phone/e-mail by the administrator)
    decisions.mark_letter_sent(session, decision_id, *, channel, actor, at=None) -> Decision
        # channel "email" (a /l/<token> link was sent) | "post" (printed for post);
        # also sets notified_at when it is still empty

    DecisionInput (frozen): outcome_id, reason, lead_name, lead_agency, lead_contact,
        review_date (date), actions (tuple[ActionInput, ...]), taf_date (date | None),
        child_views (str | None), dissent (str | None)
    ActionInput (frozen): what, who, by (date), status "open"|"done"|"dropped" (default "open")

    Decision (service.models, table ``decisions``): id, case_id (MeetingCase id),
        referral_id, meeting_id (None if the case was unlisted), panel (slug), version (1..),
        superseded_at (None on the current version), outcome_id, outcome_label,
        reason, lead_name, lead_agency, lead_contact,
        actions [{"what", "who", "by": "YYYY-MM-DD", "status"}], review_date, taf_date,
        child_views, dissent, actor_type, recorded_by (user id | None), recorded_at,
        -- delivery states (set by letters/notices; the deadline list reads them) --
        notified_at (datetime | None), letter_sent_at (datetime | None),
        letter_channel ("email" | "post" | None);
        .state -> DecisionState "recorded" | "notified" | "letter_sent"
    A new version starts again at "recorded": a changed decision must be told again.

    shapes.decision_json(row) -> dict      # the `mapdocs decisions show` / API object

HTTP (``service/api/decisions.py``): ``POST|GET /api/v1/cases/<case_id>/decision`` (chair
records; administrator/chair read), ``GET .../decision/versions``, ``GET /api/v1/overdue[?panel=]``
(``service.overdue``); tracking forms are ``service/api/tracking.py``.
CLI: ``mapdocs decisions record|show``, ``mapdocs tracking rate|build``, ``mapdocs overdue``.

Which outcomes start a Team Around the Family (so need ``taf_date``): profile files carry
no such flag, so ``model.TAF_OUTCOMES`` lists the outcome ids that do.
"""
