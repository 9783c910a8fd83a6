"""What the accounts app tells other apps, without importing them.

``time_zone_changed`` is sent (inside the saving transaction) when a user changes the time
zone of their profile; ``care`` follows it for a patient's record, which days and check-in
times are counted in.
"""

from django.dispatch import Signal

#: sender: the User class; user: the user, with the new ``time_zone`` saved.
time_zone_changed = Signal()
