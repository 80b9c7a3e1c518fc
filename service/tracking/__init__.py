"""Support-plan tracking forms per family: progress ratings at each review, and the form itself.

Public API::

    from service.tracking import operations as tracking

    tracking.rate_progress(session, case_id, review_date, ratings, *, actor) -> list[OutcomeRating]
        # ratings: [RatingInput(outcome_index, rating 0..10, note)], index into the record's
        # desired_outcomes; commits, audited
    tracking.tracking_context(session, case_id, *, today=None) -> TrackingFormContext
    tracking.build_tracking_form(session, case_id, *, converter=None) -> TrackingFiles(docx, pdf, csv)

The form is built from what is recorded when it is asked for, so it is current after each
review's decision and ratings (nothing stale is stored).
"""
