"""Questionnaires as formats.md §1 defines them, and the responses given to them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from beneficiaries.models import Beneficiary
from organisations.models import Organisation


class Questionnaire(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="questionnaires",
        verbose_name=_("organisation"),
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # How long a wave "at exit" stays open after the person's exit (beneficiaries.due):
    # about two months of a last appointment or a phone call, after which it is not asked.
    exit_window_days = models.PositiveIntegerField(
        _("exit wave open for (days)"), default=60, db_default=60,
        help_text=_("How long after a person's exit their wave at exit can still be entered."))
    # The publication's scope (issue 14.2): the people it applies to. Empty means everyone
    # (questionnaires published before scopes existed keep their meaning); a person who
    # already has a response to it is always in scope (questionnaires.publication).
    scope_entered_from = models.DateField(
        _("applies to people who entered from"), null=True, blank=True)
    scope_programmes = models.JSONField(
        _("applies to the programmes"), default=list, blank=True,
        help_text=_("Empty: every programme."))
    # Optimistic concurrency: every change of the definition adds one, and a builder page
    # saves only if it is still the version it was opened at.
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1,
                                          editable=False)
    # Definitions keep their history (who, when, old → new), shown on the history page;
    # the version counter is bookkeeping, not a change of meaning.
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["organisation", "code"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="questionnaire_code_unique_in_organisation"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="questionnaire_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"


class Wave(models.Model):
    """One of the key moments at which the questionnaire is answered."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="waves",
        verbose_name=_("questionnaire"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=100)
    due_after_days = models.PositiveIntegerField(
        _("due after (days)"),
        default=0,
        help_text=_("Counted from the beneficiary's first response (wave 1)."),
    )
    at_exit = models.BooleanField(
        _("at exit"), default=False, db_default=False,
        help_text=_("Due on the person's exit date when one is recorded, and still open "
                    "after the exit."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["questionnaire", "number"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="wave_number_unique_in_questionnaire"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="wave_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"


class Scale(models.Model):
    """A named list of choices shared by several items (``scales`` in formats.md §1)."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="scales",
        verbose_name=_("questionnaire"),
    )
    key = models.SlugField(_("key"), max_length=64)
    history = HistoricalRecords()

    class Meta:
        ordering = ["questionnaire", "key"]
        verbose_name = _("scale")
        verbose_name_plural = _("scales")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "key"], name="scale_key_unique_in_questionnaire"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class Choice(models.Model):
    """One answer of a scale; ``score`` is higher for better, null when not ordinal."""

    scale = models.ForeignKey(
        Scale, on_delete=models.CASCADE, related_name="choices", verbose_name=_("scale")
    )
    code = models.CharField(_("code"), max_length=32)
    label = models.CharField(_("label"), max_length=200)
    score = models.FloatField(_("score"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scale", "order", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="choice_code_unique_in_scale"),
            models.CheckConstraint(condition=~Q(code=""), name="choice_code_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"


class Item(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="items",
        verbose_name=_("questionnaire"),
    )
    code = models.CharField(_("code"), max_length=32)
    text = models.TextField(_("text"))
    dimension = models.CharField(_("dimension"), max_length=100)
    scale = models.ForeignKey(
        Scale, on_delete=models.PROTECT, related_name="items", verbose_name=_("scale")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["questionnaire", "order", "id"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "code"], name="item_code_unique_in_questionnaire"
            ),
            models.CheckConstraint(condition=~Q(code=""), name="item_code_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.text[:60]}"


class Response(models.Model):
    """One beneficiary's answers to one wave of a questionnaire."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="responses",
        verbose_name=_("beneficiary"),
    )
    # Redundant with wave.questionnaire on purpose: it carries the uniqueness rule of
    # formats.md §2 and lets "the responses of a questionnaire" be one indexed lookup.
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses",
        verbose_name=_("questionnaire"),
    )
    wave = models.ForeignKey(
        Wave, on_delete=models.PROTECT, related_name="responses", verbose_name=_("wave")
    )
    answered_on = models.DateField(_("answered on"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic concurrency: every write adds one (entry form, import --update); a form
    # opened at another version never overwrites what was saved since (responses.py).
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1,
                                          editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["beneficiary", "wave__number"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "questionnaire", "wave"], name="one_response_per_wave"
            ),
        ]
        indexes = [models.Index(fields=["questionnaire", "wave"], name="response_q_wave_idx")]

    def __str__(self) -> str:
        return f"{self.beneficiary} · {self.wave}"


class Answer(models.Model):
    """The choice given to one item in one response; absence means "not answered"."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item")
    )
    choice = models.ForeignKey(
        Choice, on_delete=models.PROTECT, related_name="answers", verbose_name=_("choice")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["response", "item__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="one_answer_per_item"),
        ]
        indexes = [models.Index(fields=["item", "choice"], name="answer_item_choice_idx")]

    def __str__(self) -> str:
        return f"{self.item.code}={self.choice.code}"
