"""Pure decisions: functions over plain facts that return a verdict, with no ORM and no
settings read. The per-event handlers, the batch and the extract build the facts their own
way and call the same function, so a rule is written once."""
