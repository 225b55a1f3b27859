"""Notifications (DESIGN §9): an inbox per user, mail through an outbox that
``floorwalk worker`` sends, and the timed jobs that raise some of them.

- ``kinds``: the kinds and who may receive each; ``preferences``: mail or inbox only;
- ``inbox``: ``notify`` (the one way a notification is made), reading, marking read;
  ``schemas``: the inbox's JSON and what marking read accepts;
- ``events``: who gets what, one function per event (the actions package calls
  ``events.notify_action_assigned`` when it stores an action or its new owner; the
  worker's ``jobs.action_reminders`` asks ``actions.queries.actions_due``);
- ``outbox``: queue, claim with a lease, mark sent or failed with backoff;
- ``mail``: building and sending a mail; ``jobs``: the timed jobs; ``worker``: the loop.

See docs/notifications.md.
"""
