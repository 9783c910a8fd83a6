"""A shared chain analysis for the featured demo patient, with the therapist's comments.

It starts from the patient's most recent diary day on which a target behaviour was acted
on (pre-filled from that day's card, as the product does), goes through the worksheet in
the patient's words, names skilful alternatives from the skills library, and is shared;
the therapist then comments on two links. Written with the product's own actions. A
patient who already has a chain is left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chains import actions
from chains.actions import LinkValues
from chains.models import ChainAnalysis, ChainLink
from diary.models import CardTarget
from skills.models import Skill

if TYPE_CHECKING:
    from accounts.models import User
    from care.models import Patient

SECTIONS = {
    "prompting_event": (
        "My manager moved my shift at the last minute and said I should be grateful to "
        "have any hours at all."
    ),
    "vulnerabilities": (
        "Four hours of sleep, skipped lunch, and I had been arguing with my brother by text "
        "since the morning."
    ),
    "consequences_short": ("The shame went quiet for an evening. I felt numb rather than furious."),
    "consequences_long": (
        "A headache and a wasted next morning; I missed my group and felt I had let myself "
        "down again."
    ),
    "prevention": (
        "On days with little sleep, eat lunch and leave my phone in the bag at work. Use the "
        "walk home to do paced breathing and text Jo before I reach the shop."
    ),
    "repair": (
        "Tell my therapist honestly, go to the next group, and apologise to my brother for "
        "the messages I sent."
    ),
}
LINKS = (
    ("event", "Read the message about the shift on the bus home", 3, ("STOP",)),
    ("thought", "'They think I'm useless. Everyone does.'", 4, ("Check the Facts",)),
    ("feeling", "Shame, then anger at myself", 5, ("Opposite Action", "TIP")),
    ("body", "Hot face, tight chest, couldn't sit still", 4, ("TIP",)),
    ("action", "Walked past my stop to the shop and bought a bottle", 5, ("Pros and cons",)),
)
COMMENTS = (
    (1, "This is the moment to catch: the thought jumps from one message to 'everyone'. "
        "Let's practise checking the facts on it together."),
    (3, "Good noticing of the body. Cold water on the face before the shop could fit here."),
)  # fmt: skip


def ensure_chain(patient: Patient, therapist: User | None) -> int:
    """Add the featured patient's shared chain; return how many chains were added."""
    if patient.user is None or ChainAnalysis.objects.filter(patient=patient).exists():
        return 0
    acted = (
        CardTarget.objects.filter(card__patient=patient, acted=True)
        .select_related("card")
        .order_by("-card__date")
        .first()
    )
    if acted is None:
        return 0
    writer = patient.user
    chain = actions.start_chain(writer, patient, day=acted.card.date)
    chain = actions.save_chain(writer, chain, version=chain.version, sections=SECTIONS)
    skills = {skill.name: skill for skill in Skill.objects.filter(organisation__isnull=True)}
    for kind, text, intensity, names in LINKS:
        chosen = [skills[name] for name in names if name in skills]
        actions.add_link(writer, chain, LinkValues(kind, text, intensity), skills=chosen)
        chain.refresh_from_db()
    chain = actions.share_chain(writer, chain)
    if therapist is not None:
        links = list(ChainLink.objects.filter(chain=chain).order_by("position"))
        for index, text in COMMENTS:
            actions.comment_on_link(therapist, links[index], text)
    return 1
