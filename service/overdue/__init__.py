"""The deadline list: what should have happened after a panel and has not yet.

``overdue_items(session, now=None, panel=None) -> list[OverdueItem]`` reads the decisions'
delivery states, the support plans' review dates and the referrals' significant-harm
clock; ``GET /api/v1/overdue`` and ``mapdocs overdue`` print the items. Items carry ids,
case references and dates only, never a name.
"""
