"""mapdocs's own blank CAF and CSF forms (fillable PDF and Word), built from ``fields.json``."""
