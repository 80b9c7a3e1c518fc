"""Meeting-level batches run in the background, with progress: building and sending a meeting's letters.

A meeting of twenty decided cases makes about a hundred documents — too long for one
request. The API records a :class:`~service.models.BatchJob`, hands its id to the job
queue and answers ``202``; a worker runs it and records ``done``/``total`` as it goes.

- :mod:`service.batches.operations` — the batch row's life: create (audited), claim,
  progress, succeed, fail. Plain functions on a session, no Flask.
- :mod:`service.batches.letters` — what each kind of batch does: the same letters
  operations the CLI calls, with the result in the CLI's shapes.
- :mod:`service.batches.tasks` — the Celery task (idempotent, ``acks_late``, time limits,
  transient errors retried) that runs a batch by id.
- :mod:`service.batches.dispatch` — handing a batch id to the broker.

The ``batch_jobs`` table is the source of truth for a batch's state; the broker carries
only its id.
"""
