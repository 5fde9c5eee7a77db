"""The out flow: local changes recorded in the outbox and pushed to Vibes by a worker.

``signals`` (model receivers) → ``record`` (an outbox row, in the change's transaction) →
``publish`` (after the commit, by task name) → ``send`` (the worker claims the row and
runs its ``kinds`` module) → ``states`` (done, retry, failed, stopped).
"""
