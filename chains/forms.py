"""Forms of the chain pages: starting a chain, the worksheet (one form for the whole page,
so that every button also saves what was typed), and a comment on a link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chains.actions import LinkValues, WorksheetStep
from chains.models import (
    ALTERNATIVE_MAX,
    BEHAVIOUR_MAX,
    COMMENT_MAX,
    INTENSITY_MAX,
    LINK_TEXT_MAX,
    SECTION_MAX,
    SECTIONS,
    ChainLink,
    LinkKind,
)
from skills.models import Skill

#: Each section of the worksheet: its label and the question that helps answer it.
SECTION_TEXT: dict[str, tuple[Any, Any]] = {
    "problem_behaviour": (
        _("The problem behaviour"),
        _("What exactly did you do (or not do)? Be specific, as if describing a video."),
    ),
    "prompting_event": (
        _("What set it off (prompting event)"),
        _("What happened outside you that started the chain? Why then, on that day?"),
    ),
    "vulnerabilities": (
        _("What made you more vulnerable"),
        _(
            "Earlier things that made you more open to the prompting event: sleep, illness, "
            "alcohol or drugs, stress, strong feelings."
        ),
    ),
    "consequences_short": (
        _("Consequences straight after"),
        _("What happened right after, for you and for others? What did the behaviour do for you?"),
    ),
    "consequences_long": (
        _("Consequences later on"),
        _("What happened later, for you and for others? What harm did it do?"),
    ),
    "prevention": (
        _("Prevention plan"),
        _("How can you lower your vulnerability, or stop the prompting event, next time?"),
    ),
    "repair": (
        _("Repair"),
        _("What will you do to repair harm to yourself or to others? Do it soon."),
    ),
}

_KIND_CHOICES = LinkKind.choices


def _intensity(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=INTENSITY_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class StartChainForm(forms.Form):
    problem_behaviour = forms.CharField(
        label=SECTION_TEXT["problem_behaviour"][0],
        help_text=SECTION_TEXT["problem_behaviour"][1],
        max_length=BEHAVIOUR_MAX,
    )
    day = forms.DateField(required=False, widget=forms.HiddenInput)


@dataclass(frozen=True)
class LinkFields:
    """The bound fields of one link, for the template."""

    link: ChainLink
    kind: forms.BoundField
    text: forms.BoundField
    intensity: forms.BoundField
    alternative: forms.BoundField
    skill: forms.BoundField


class WorksheetForm(forms.Form):
    """The whole worksheet. Field names of a link: ``link-<id>-text`` and so on; the new
    link's: ``new-kind``, ``new-text``, ``new-intensity``; a skill to add to a link (by name
    or acronym, from the library list): ``link-<id>-skill``."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self, *args: Any, links: list[ChainLink], skills: list[Skill], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.links = links
        self.library = skills
        for name in SECTIONS:
            label, _hint = SECTION_TEXT[name]
            if name == "problem_behaviour":
                self.fields[name] = forms.CharField(label=label, max_length=BEHAVIOUR_MAX)
            else:
                self.fields[name] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=SECTION_MAX,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
            self.fields[name].widget.attrs["aria-describedby"] = f"hint-{name}"
        for link in links:
            prefix = f"link-{link.public_id}-"
            self.fields[prefix + "kind"] = forms.ChoiceField(label=_("Kind"), choices=_KIND_CHOICES)
            self.fields[prefix + "text"] = forms.CharField(
                label=_("What happened"),
                max_length=LINK_TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[prefix + "intensity"] = _intensity(_("How strong (0–100, optional)"))
            self.fields[prefix + "alternative"] = forms.CharField(
                label=_("Or in your own words"),
                required=False,
                max_length=ALTERNATIVE_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[prefix + "skill"] = forms.CharField(
                label=_("Add a skill"),
                required=False,
                max_length=80,
                widget=forms.TextInput(
                    attrs={"list": "skill-names", "autocomplete": "off", "enterkeyhint": "done"}
                ),
            )
            if not self.is_bound:
                self.initial.update(
                    {
                        prefix + "kind": link.kind,
                        prefix + "text": link.text,
                        prefix + "intensity": link.intensity,
                        prefix + "alternative": link.alternative,
                    }
                )
        self.fields["new-kind"] = forms.ChoiceField(
            label=_("Kind"), choices=_KIND_CHOICES, required=False, initial=LinkKind.THOUGHT
        )
        self.fields["new-text"] = forms.CharField(
            label=_("What happened next"),
            required=False,
            max_length=LINK_TEXT_MAX,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.fields["new-intensity"] = _intensity(_("How strong (0–100, optional)"))

    # --- for the template ------------------------------------------------------------------------

    def section_fields(self) -> list[tuple[forms.BoundField, Any]]:
        return [(self[name], SECTION_TEXT[name][1]) for name in SECTIONS]

    def link_fields(self) -> list[LinkFields]:
        def field(link: ChainLink, name: str) -> forms.BoundField:
            return self[f"link-{link.public_id}-{name}"]

        return [
            LinkFields(
                link=link,
                kind=field(link, "kind"),
                text=field(link, "text"),
                intensity=field(link, "intensity"),
                alternative=field(link, "alternative"),
                skill=field(link, "skill"),
            )
            for link in self.links
        ]

    def new_fields(self) -> dict[str, forms.BoundField]:
        return {name: self[f"new-{name}"] for name in ("kind", "text", "intensity")}

    # --- cleaning --------------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        names: dict[str, Skill] = {}
        for skill in self.library:
            names.setdefault(skill.name.casefold(), skill)
            if skill.acronym:
                names.setdefault(skill.acronym.casefold(), skill)
        self.new_skills: dict[str, Skill] = {}
        for link in self.links:
            key = f"link-{link.public_id}-skill"
            typed = (data.get(key) or "").strip()
            if typed:
                found = names.get(typed.casefold())
                if found is None:
                    self.add_error(
                        key,
                        _("There is no skill of that name in the library. Pick one from the list."),
                    )
                else:
                    self.new_skills[str(link.public_id)] = found
        return data

    def sections(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in SECTIONS}

    def link_values(self) -> dict[str, LinkValues]:
        values = {}
        for link in self.links:
            prefix = f"link-{link.public_id}-"
            values[str(link.public_id)] = LinkValues(
                kind=self.cleaned_data[prefix + "kind"],
                text=self.cleaned_data[prefix + "text"],
                intensity=self.cleaned_data[prefix + "intensity"],
                alternative=self.cleaned_data[prefix + "alternative"],
            )
        return values

    def new_link(self) -> LinkValues | None:
        text = self.cleaned_data.get("new-text", "").strip()
        if not text:
            return None
        return LinkValues(
            kind=self.cleaned_data.get("new-kind") or LinkKind.THOUGHT,
            text=text,
            intensity=self.cleaned_data.get("new-intensity"),
        )


def parse_step(value: str, links: list[ChainLink]) -> WorksheetStep:
    """A worksheet button's ``op`` value: ``save``, ``share``, ``up:<link>``, ``down:<link>``,
    ``delete:<link>``, ``skill:<link>`` (save, adding the skills typed) or
    ``unskill:<link>:<skill>``. Unknown values just save."""
    verb, _sep, rest = value.partition(":")
    link_id, _sep, skill_id = rest.partition(":")
    link = next((link for link in links if str(link.public_id) == link_id), None)
    if verb not in ("up", "down", "delete", "unskill", "skill") or link is None:
        return WorksheetStep(verb="share" if verb == "share" else "save")
    skill = None
    if verb == "unskill":
        skill = next((s for s in link.skills.all() if str(s.public_id) == skill_id), None)
        if skill is None:
            return WorksheetStep()
    return WorksheetStep(verb=verb, link=link, skill=skill)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment on this link"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
