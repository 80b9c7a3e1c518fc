"""Background jobs: extraction (and OCR page by page) runs on Celery workers, never in the request.

- :mod:`service.jobs.settings` — the job settings, as plain values, from the app config.
- :mod:`service.jobs.celery_app` — ``celery_init_app(app)`` binds Celery to a Flask app
  (tasks run in its app context); the module is also the worker entry point
  (``celery -A service.jobs.celery_app worker``).
- :mod:`service.jobs.tasks` — the tasks: they take ids, are idempotent and call the same
  operations as the views.
- :mod:`service.jobs.pages` — how a scanned document is split into per-page tasks.
- :mod:`service.jobs.dispatch` — how the service hands work to the queue.
- :mod:`service.jobs.worker` — running a worker: in this process, as a burst, or as the
  embedded child process ``mapdocs serve`` manages.

The ``jobs`` table is the source of truth for a job's state; the broker only carries
job ids, never document content or passwords.
"""
