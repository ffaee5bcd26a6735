"""A deterministic, realistic demo: the seeds' questionnaire, attrition and improvement.

The shape follows the MIRENA case (shared/seeds): about half of the people who answer at
entry answer again mid-way, about a quarter of those answer at exit; answers improve
between waves, a little more for those who stay. Everything is drawn from one random
generator seeded with a constant, so a given N always gives the same data.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction

from analysis.outcomes import SITUATION_AFTER_DAYS
from beneficiaries.models import Beneficiary
from organisations.models import Membership, Organisation, Role
from questionnaires.bulk import rows_insert
from questionnaires.definitions import definition_parse
from questionnaires.models import Answer, Questionnaire, Response
from questionnaires.services import questionnaire_load
from questionnaires.signals import responses_changed

DEMO_DEFINITION = Path(__file__).with_name("demo") / "demo.json"
DEMO_SEED = 20_190_101
# Fixed so that the data do not depend on the day the demo is loaded.
FIRST_ENTRY = dt.date(2023, 1, 2)
LAST_ENTRY = dt.date(2026, 9, 30)
OBSERVED_UNTIL = dt.date(2026, 11, 15)

P_WAVE2 = 0.5  # seeds: 149 of 309 answered the second questionnaire
P_WAVE3 = 0.3  # seeds: 38 of 149 answered the third
P_DONT_KNOW = 0.05
P_NO_ANSWER = 0.02
GAIN = {2: 0.45, 3: 0.8}  # mean latent improvement since entry, in SD
DIMENSION_GAIN = {
    "Estime de soi": 1.3, "Communication et relationnel": 1.0, "Projet personnel": 1.4,
    "Autonomie administrative": 0.9, "Mobilité": 0.5, "Lien social": 1.0,
    "Citoyenneté active": 0.4,
}
PROGRAMMES = ("Orientation", "Formation qualifiante", "Recherche d'emploi")
EXIT_REASONS = ("employment", "training", "other_support", "other")
# The situation six months after exit, by exit reason (the MIRE figures of the seeds: about
# 3,417 of 4,775 first contracts still at work after 6 months, i.e. ~70 %). Drawn from a
# generator of its own so that the rest of the demo does not change.
SITUATION_SEED = DEMO_SEED + 6
P_SITUATION_RECORDED = 0.85
SITUATION_CODES = ("employment", "training", "job_seeker", "other_support", "dropped_out",
                   "moved", "other", "unknown")
SITUATION_GIVEN_EXIT = {
    "employment": (0.70, 0.04, 0.14, 0.0, 0.0, 0.02, 0.02, 0.08),
    "training": (0.30, 0.40, 0.15, 0.02, 0.03, 0.0, 0.02, 0.08),
    "other_support": (0.15, 0.10, 0.20, 0.40, 0.0, 0.0, 0.05, 0.10),
    "dropped_out": (0.10, 0.05, 0.35, 0.05, 0.10, 0.05, 0.05, 0.25),
    "moved": (0.15, 0.05, 0.10, 0.0, 0.0, 0.40, 0.0, 0.30),
    "other": (0.20, 0.10, 0.30, 0.05, 0.0, 0.0, 0.15, 0.20),
}
DEMO_USERS = (
    ("conseiller", Role.COUNSELLOR, "Camille", "Dubois"),
    ("conseiller2", Role.COUNSELLOR, "Yasmina", "Benali"),
    ("conseiller3", Role.COUNSELLOR, "Luc", "Lambert"),
    ("direction", Role.DIRECTOR, "Anne", "Martin"),
    ("ca", Role.BOARD, "Marc", "Renard"),
    ("gestion", Role.MANAGER, "Sophie", "Leroy"),
)


@dataclass(frozen=True)
class SeedResult:
    organisation: Organisation
    questionnaire: Questionnaire
    beneficiaries: int
    responses: int
    answers: int
    already_filled: bool


def demo_users_ensure(*, organisation: Organisation, password: str | None) -> list[tuple[str, str]]:
    """One user per role (three counsellors) in the organisation; returns (username, role)."""
    user_model = get_user_model()
    users = []
    for suffix, role, first_name, last_name in DEMO_USERS:
        username = f"{organisation.slug}-{suffix}"
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": first_name, "last_name": last_name})
        if password is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
        elif created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, organisation=organisation,
                                         defaults={"role": role})
        users.append((username, role))
    if password is not None:
        admin, _ = user_model.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True})
        admin.set_password(password)
        admin.save(update_fields=["password"])
    return users


def _latent_to_choice(latent: np.ndarray, levels: int) -> np.ndarray:
    """Index into a scale ordered best first (score levels..1), from a standard latent value."""
    cuts = {3: [-0.6, 0.6], 4: [-1.0, 0.0, 1.0]}[levels]
    level = np.digitize(latent, cuts)  # 0 = worst
    return (levels - 1 - level).astype(np.int64)


def _situations_draw(
    *, exit_date: np.ndarray, exit_reason: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Situation codes ("" = not recorded) and the day each was recorded, per person.

    Only people whose exit was six months or more before the end of the demo's observation
    have one; some are left unrecorded, so that the worklist has situations to record.
    """
    rng = np.random.default_rng(SITUATION_SEED)
    n = exit_date.size
    situation = np.full(n, "", dtype=object)
    recorded_on = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    after = np.timedelta64(SITUATION_AFTER_DAYS, "D")
    due = ~np.isnat(exit_date) & (exit_date + after <= np.datetime64(OBSERVED_UNTIL))
    recorded = due & (rng.random(n) < P_SITUATION_RECORDED)
    for reason, shares in SITUATION_GIVEN_EXIT.items():
        chosen = recorded & (exit_reason == reason)
        situation[chosen] = rng.choice(SITUATION_CODES, size=int(chosen.sum()), p=shares)
    recorded &= situation != ""
    delay = rng.integers(0, 46, size=n).astype("timedelta64[D]")
    recorded_on[recorded] = np.minimum(exit_date[recorded] + after + delay[recorded],
                                       np.datetime64(OBSERVED_UNTIL))
    return situation, recorded_on


@transaction.atomic
def demo_seed(*, organisation_slug: str, n: int, password: str | None = None) -> SeedResult:
    """Fill the organisation (created if missing) with N demo beneficiaries, unless it has them."""
    organisation, _ = Organisation.objects.get_or_create(
        slug=organisation_slug,
        defaults={
            "name": "MIRE de démonstration",
            "kind": Organisation.Kind.MIRE,
            "evaluative_question": (
                "Quel est l'impact social de notre méthode d'accompagnement sur les stagiaires ?"
            ),
        },
    )
    demo_users_ensure(organisation=organisation, password=password)
    definition = definition_parse(json.loads(DEMO_DEFINITION.read_text(encoding="utf-8")))
    existing = Questionnaire.objects.filter(organisation=organisation, code=definition.code).first()
    if existing is not None and existing.responses.exists():
        return SeedResult(organisation, existing, 0, 0, 0, already_filled=True)
    questionnaire, _ = questionnaire_load(organisation=organisation, definition=definition)
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.save(update_fields=["status"])

    rng = np.random.default_rng(DEMO_SEED)
    counsellors = list(
        Membership.objects.filter(organisation=organisation, role=Role.COUNSELLOR)
        .order_by("user__username").values_list("user_id", flat=True)
    )
    width = max(5, len(str(n)))
    codes = [f"D-{i:0{width}d}" for i in range(1, n + 1)]
    span = (LAST_ENTRY - FIRST_ENTRY).days
    entry_offsets = rng.integers(0, span + 1, size=n)
    entry = np.datetime64(FIRST_ENTRY) + entry_offsets.astype("timedelta64[D]")
    ability = rng.normal(0, 1, size=n)
    # Those who start better off stay a little more often: the attrition-bias check
    # should be able to find this.
    stay2 = rng.random(n) < P_WAVE2 + 0.08 * np.tanh(ability)
    stay3 = stay2 & (rng.random(n) < P_WAVE3)
    dates = {
        1: entry + rng.integers(0, 15, size=n).astype("timedelta64[D]"),
    }
    dates[2] = dates[1] + rng.integers(75, 120, size=n).astype("timedelta64[D]")
    dates[3] = dates[1] + rng.integers(165, 240, size=n).astype("timedelta64[D]")
    until = np.datetime64(OBSERVED_UNTIL)
    reached = {1: dates[1] <= until, 2: stay2 & (dates[2] <= until), 3: stay3 & (dates[3] <= until)}
    reached[3] &= reached[2]

    exit_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    exit_reason = np.full(n, "", dtype=object)
    finished = reached[3]
    exit_date[finished] = dates[3][finished] + rng.integers(0, 21, size=n)[finished].astype(
        "timedelta64[D]")
    exit_reason[finished] = rng.choice(EXIT_REASONS, size=n, p=[0.45, 0.25, 0.1, 0.2])[finished]
    dropped = ~reached[2] & (dates[2] + np.timedelta64(60, "D") <= until) & (rng.random(n) < 0.85)
    exit_date[dropped] = entry[dropped] + rng.integers(30, 75, size=n)[dropped].astype(
        "timedelta64[D]")
    exit_reason[dropped] = "dropped_out"
    # Most of those who answered mid-way but never at exit left long ago (a job, a training,
    # or they stopped coming): only recent ones are still followed, and due.
    left_after_mid = (reached[2] & ~reached[3] & (dates[3] + np.timedelta64(60, "D") <= until)
                      & (rng.random(n) < 0.85))
    exit_date[left_after_mid] = dates[2][left_after_mid] + rng.integers(
        20, 90, size=n)[left_after_mid].astype("timedelta64[D]")
    exit_reason[left_after_mid] = rng.choice(
        ["employment", "training", "dropped_out", "moved"], size=n,
        p=[0.4, 0.2, 0.3, 0.1])[left_after_mid]

    situation, situation_on = _situations_draw(exit_date=exit_date, exit_reason=exit_reason)

    genders = rng.choice(["f", "m", "x"], size=n, p=[0.55, 0.43, 0.02])
    birth_years = rng.integers(1962, 2006, size=n)
    education = rng.choice(["primary", "lower_secondary", "upper_secondary", "higher"],
                           size=n, p=[0.2, 0.4, 0.3, 0.1])
    programmes = rng.choice(PROGRAMMES, size=n)
    counsellor_of = rng.integers(0, len(counsellors), size=n)

    def as_date(value: np.datetime64) -> dt.date | None:
        return None if np.isnat(value) else value.astype(dt.date)

    Beneficiary.objects.bulk_create(
        [
            Beneficiary(
                organisation=organisation, code=codes[i],
                counsellor_id=counsellors[counsellor_of[i]],
                entry_date=as_date(entry[i]), exit_date=as_date(exit_date[i]),
                exit_reason=exit_reason[i], situation_6_months=situation[i],
                situation_recorded_on=as_date(situation_on[i]),
                gender=genders[i], birth_year=int(birth_years[i]),
                education_level=education[i], programme=programmes[i],
                # The demo's people gave their consent on entering, to their counsellor.
                consent_processing_on=as_date(entry[i]),
                consent_processing_by_id=counsellors[counsellor_of[i]],
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    beneficiary_ids = dict(
        Beneficiary.objects.filter(organisation=organisation).values_list("code", "id"))
    ids = np.array([beneficiary_ids[code] for code in codes], dtype=np.int64)

    items = list(questionnaire.items.select_related("scale").prefetch_related("scale__choices"))
    waves = {wave.number: wave for wave in questionnaire.waves.all()}
    dimension_level = rng.normal(0, 0.5, size=(n, len(DIMENSION_GAIN)))
    dimension_index = {name: i for i, name in enumerate(DIMENSION_GAIN)}
    personal_gain = rng.normal(1.0, 0.5, size=n)

    answers_written = responses_written = 0
    for number, wave in waves.items():
        who = np.flatnonzero(reached[number])
        if who.size == 0:
            continue
        created = Response.objects.bulk_create(
            [
                Response(beneficiary_id=int(ids[i]), questionnaire=questionnaire, wave=wave,
                         answered_on=as_date(dates[number][i]))
                for i in who
            ],
            batch_size=2000,
        )
        response_ids = np.array([response.id for response in created], dtype=np.int64)
        responses_written += len(created)
        for item in items:
            choices = list(item.scale.choices.all())
            scored = [c for c in choices if c.score is not None]
            unscored = [c for c in choices if c.score is None]
            gain = GAIN.get(number, 0.0) * DIMENSION_GAIN.get(item.dimension, 1.0)
            latent = (
                ability[who]
                + dimension_level[who, dimension_index.get(item.dimension, 0)]
                + gain * personal_gain[who]
                + rng.normal(0, 0.8, size=who.size)
                - 0.3
            )
            index = _latent_to_choice(latent, len(scored))
            choice_ids = np.array([c.id for c in scored], dtype=np.int64)[index]
            draw = rng.random(who.size)
            if unscored:
                choice_ids[draw < P_DONT_KNOW] = unscored[0].id
            # A small share of items is left blank: the next slice of the same draw.
            keep = ~((draw >= P_DONT_KNOW) & (draw < P_DONT_KNOW + P_NO_ANSWER))
            answers_written += rows_insert(
                model=Answer,
                fields=("response", "item", "choice"),
                rows=zip(response_ids[keep].tolist(), [item.id] * int(keep.sum()),
                         choice_ids[keep].tolist(), strict=True),
            )
    # bulk_create and COPY send no signals: say the organisation's reports are stale.
    responses_changed.send(sender=Response, organisation_id=organisation.id)
    return SeedResult(organisation, questionnaire, n, responses_written, answers_written,
                      already_filled=False)
