"""The one authorization policy.

* ``policy.predicates`` — the facts a decision can rest on (role, organisation,
  care-team membership, sharing consent, break-glass grants).
* ``policy.rules`` — every permission of the product, named ``<app>.<verb>_<thing>``
  and built from those predicates. ``user.has_perm(name, obj)`` asks it.
* ``policy.routes`` — decorators that declare and enforce the policy of each page;
  ``policy.api`` does the same for API operations. The authorization-matrix test
  reads these declarations.
"""
