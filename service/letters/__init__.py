"""Documents families and referrers receive after panel: letters, notices, summaries.

``wording.py`` reads ``outcome_wording.json`` (plain words per profile outcome and per triage
route that ends a referral before panel); ``operations.py`` builds a meeting's documents
and ``delivery.py`` sends them. Rendering itself lives in ``renderers/letters.py``.
"""
