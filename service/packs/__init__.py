"""Agenda packs per recipient agency, their circulation, and the information-sharing log.

Plain functions taking a session and a store (no Flask)::

    from service.packs import operations as packs

    packs.build_meeting_packs(session, store, meeting_id, *, actor, converter=None,
                              agenda_renderer=None, at=None, workers=1) -> BuiltPacks
        # consent re-checked at ``at`` (now); one pack per member agency + "full"; stored;
        # PackBuild + MeetingPack rows; audit "packs.build". BuiltPacks.packs.manifest() is
        # exactly {"meeting_id", "packs": [{"agency", "file", "cases", "withheld"}]}
    packs.latest_build(session, meeting_id) -> PackBuild          # NoPacksBuilt (409)
    packs.open_pack(session, store, meeting_id, "full.pdf", *, actor) -> (MeetingPack, bytes)
    packs.send_meeting_packs(session, store, meeting_id, *, sender, base_url, link_ttl_seconds,
                             actor, now=None, force=False, attach_panels=()) -> SendResult
        # TooEarlyToSend (409) before the profile's circulation day unless force; one message
        # per member agency with a secure mailbox; InformationSharingEntry rows as each goes
    packs.sharing_log(session, referral_id=None, meeting_id=None) -> [InformationSharingEntry]

    from service.packs.disclosure import decide      # who may see which case, and on what basis
    from service.packs.circulation import circulation_day
"""
