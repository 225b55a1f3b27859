"""Actions (DESIGN §9): what a walk finds, given to someone to fix by a date, and checked.

``state`` (the state machine and the derived state), ``rules`` (whether an update fits
the state it finds), ``book`` (actions in the push), ``queries`` (lists and pull),
``schemas`` (answers and filters), ``service`` (the pages' actions, through the push).
"""
