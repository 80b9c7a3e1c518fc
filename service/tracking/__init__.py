"""Support-plan tracking forms per family: progress ratings, action statuses, stored versions.

Public API::

    from service.tracking import operations as tracking, versions

    tracking.rate_progress(session, case_id, review_date, ratings, *, actor, store=None)
        -> list[OutcomeRating]
        # ratings: [RatingInput(outcome_index, rating 0..10, note)], index into the record's
        # desired_outcomes; commits, audited; with store, a new form version is stored
    tracking.set_action_status(session, store, case_id, number, status, *, actor, note=None)
        -> StatusChange(change, number, form_version)
        # number from 1 in the case's current decision; status open|in_progress|done|dropped
        # (UnknownActionStatus 422, ActionNotFound 404, NothingToTrack 409); audited
    tracking.tracking_context(session, case_id, *, today=None) -> TrackingFormContext
    tracking.build_tracking_form(session, case_id, *, converter=None) -> TrackingFiles(docx, pdf, csv)
        # built from the records now, not stored (``mapdocs tracking build``)

    versions.store_version(session, store, case_id, *, trigger, actor) -> TrackingFormVersion
    versions.refresh_quietly(...)  # the same after a committed change; None (logged) on failure
    versions.versions(session, case_id) -> list[TrackingFormVersion]   # the family's, oldest first
    versions.open_form(session, store, case_id, fmt, *, actor, version=None, converter=None)
        -> (TrackingFormVersion, bytes)
        # fmt docx|csv|pdf; the newest version (a ``catch_up`` one is stored first when the
        # records moved on) or version N; the PDF is made on first request; audited download

A version is stored after every rating, decision (``record_decision(..., store=)``) and
action status change, so the form as it stood at each review can be shown later.
"""
