"""Panel meetings: scheduling from the cadence, listing cases, case references, the agenda.

Plain functions taking a SQLAlchemy session (no Flask), callable from views, the CLI
and jobs. Operations that change something add their audit event and commit; the
listing hook called from the referral checks only flushes (the checks' caller commits).

Public API (what packs, letters and decisions build on)::

    from service.meetings import operations as meetings, listing, agenda

    meetings.get_meeting(session, meeting_id) -> Meeting            # NotFound (404) if absent
        # Meeting (service.models): id, panel (slug), date, start_time "HH:MM",
        # duration_minutes, venue, papers_deadline (date), status "scheduled"|"cancelled",
        # members [agency slug, ...] (the panel directory when created)
    meetings.create_meeting(session, panel_slug, date, *, actor, start_time=None, venue=None,
                            duration_minutes=None) -> Meeting
    meetings.generate_meetings(session, panel_slug, *, count, start, actor) -> list[Meeting]
    meetings.move_meeting(session, meeting_id, *, actor, date=None, start_time=None, venue=None,
                          duration_minutes=None) -> Meeting
    meetings.cancel_meeting(session, meeting_id, *, actor, reason=None) -> Meeting
    meetings.list_meetings(session, panel_slug, *, include_cancelled=False) -> list[Meeting]

    listing.meeting_cases(session, meeting_id) -> list[ListedCase]
        # ListedCase (frozen): case_id, referral_id (UUIDs), case_ref "BAR-2026-0042",
        # initials "A.K., B.K.", section "new"|"review"|"step_down", slot "HH:MM",
        # late (bool), position (int); .as_line() -> the exact `mapdocs meetings cases` dict.
        # Ordered: new referrals, then reviews, then step-downs; slots at the panel's slot length.
    listing.list_ready_referral(session, referral, *, now=None, ready_at=None, actor=None)
        -> MeetingCase | None          # the hook run_checks calls; flushes only
    listing.list_ready(session, panel_slug, *, actor, now=None) -> list[MeetingCase]   # commits
    listing.list_case(session, meeting_id, referral_id, section, *, actor, now=None) -> MeetingCase
    listing.set_review_due(session, referral_id, review_due, *, actor, source="manual", now=None)
        -> SupportPlan                 # decisions call this with source="decision"; commits
    listing.case_for(session, case_id) -> MeetingCase               # CaseNotFound (404) if absent
        # MeetingCase (service.models, table meeting_cases): id (= case_id), meeting_id (None while
        # a cancelled meeting's case waits), referral_id, panel, case_ref, section, position, late,
        # ready_at, support_plan_id

    agenda.agenda_context(session, meeting, *, recipient="", withheld=0,
                          hidden_case_ids=frozenset()) -> renderers.agenda.AgendaContext
        # a per-agency agenda: pass the case ids left out of that agency's copy as
        # ``hidden_case_ids`` and their count as ``withheld``
    agenda.generate_agenda(session, store, meeting_id, *, fmt="docx"|"pdf", actor,
                           converter=None) -> GeneratedDocument(key, data, media_type, filename)
        # fmt="pdf" without a converter uses service.templates.converter.shared_converter()
        # renders with the panel's current template, stores it, audits "meeting.agenda_generated"

    from service.templates import operations as templates
    templates.template_override(session, store, panel_slug, kind) -> ContextManager[Path | None]
        # the panel's newest uploaded template as a file path for ``renderers``' ``template=``
        # argument, or None for the shipped default
    templates.upload_template(session, store, panel_slug, kind, data, *, actor) -> TemplateVersion
    from service.templates.converter import shared_converter   # one warm LibreOffice per process

Case references (``service.meetings.case_refs.case_ref_for``) belong to the referral:
a family keeps ``BAR-2026-0042`` for its reviews too.
"""
