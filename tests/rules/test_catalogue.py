"""Profiles and panels load, bad files name the bad key, and a council's directory adds or replaces one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from service.rules import ProfileError, UnknownPanel, load_catalogue
from service.rules.catalogue import BUILTIN_DIR, profile_dirs

SLUGS = ("hackney-mat", "barnet-map", "luton-afsp", "wolverhampton-mast", "generic")


def builtin(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((BUILTIN_DIR / name).read_text(encoding="utf-8"))
    return data


def write(directory: Path, name: str, data: Any) -> Path:
    path = directory / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_all_five_load_with_panels_of_the_same_slug() -> None:
    catalogue = load_catalogue([BUILTIN_DIR])
    assert set(catalogue.profiles) == set(SLUGS)
    assert set(catalogue.panels) == set(SLUGS)
    for slug in SLUGS:
        assert catalogue.profile_for(slug).slug == slug


@pytest.mark.parametrize(
    ("slug", "ids"),
    [
        ("barnet-map", ["initiate_caf", "universal_plus", "organisational_support", "escalate_to_mash"]),
        (
            "luton-afsp",
            [
                "advice",
                "services_confirmed",
                "better_coordination",
                "joint_visit",
                "prioritise_referral",
                "allocate_resource",
                "appoint_lead_professional",
                "local_coordination",
            ],
        ),
    ],
)
def test_outcome_ids_are_stable(slug: str, ids: list[str]) -> None:
    assert [o.id for o in load_catalogue([BUILTIN_DIR]).profiles[slug].outcomes] == ids


@pytest.mark.parametrize(
    ("slug", "attribute", "value"),
    [
        ("hackney-mat", "age.max_years", 11),
        ("hackney-mat", "timings.max_review_interval_days", 42),
        ("hackney-mat", "requirements.min_professionals_involved", 2),
        ("hackney-mat", "consent.discussion_without_consent_on_welfare_concern", True),
        ("barnet-map", "age.max_years", 19),
        ("barnet-map", "consent.panel_discussion_required", True),
        ("barnet-map", "timings.circulation_weekday", "monday"),
        ("barnet-map", "timings.papers_deadline_days", 5),
        ("luton-afsp", "requirements.manager_signoff_required", True),
        ("luton-afsp", "safeguarding.statutory_needs_to_social_care", True),
        ("luton-afsp", "timings.referrer_invite_days", 3),
        ("wolverhampton-mast", "safeguarding.clock_hours", 24),
        ("wolverhampton-mast", "timings.max_review_interval_days", 183),
    ],
)
def test_profile_values_from_the_protocols(slug: str, attribute: str, value: Any) -> None:
    target: Any = load_catalogue([BUILTIN_DIR]).profiles[slug]
    for part in attribute.split("."):
        target = getattr(target, part)
    assert target == value


def test_panel_cadences() -> None:
    panels = load_catalogue([BUILTIN_DIR]).panels
    assert (panels["barnet-map"].cadence.weekday, panels["barnet-map"].cadence.every_weeks) == (
        "tuesday",
        1,
    )
    assert panels["luton-afsp"].cadence.every_weeks == 2
    assert panels["luton-afsp"].cadence.duration_minutes == 120
    assert panels["luton-afsp"].slot_minutes == 15
    assert panels["hackney-mat"].cadence.every_weeks <= 2


def test_directories_hold_no_real_mailboxes() -> None:
    for panel in load_catalogue([BUILTIN_DIR]).panels.values():
        for agency in panel.agencies:
            if agency.secure_email:
                assert agency.secure_email.endswith((".invalid", "@panel.example.org")), (
                    agency.secure_email
                )


def test_every_source_is_cited() -> None:
    for profile in load_catalogue([BUILTIN_DIR]).profiles.values():
        for section in (
            profile.age,
            profile.consent,
            profile.level_of_need,
            profile.safeguarding,
            profile.timings,
            profile.requirements,
            *profile.outcomes,
        ):
            assert getattr(section, "source", "").strip()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["consent"].__setitem__("max_age_days", "a year"),
            "barnet-map.profile.json: consent.max_age_days: Not a valid integer.",
        ),
        (
            lambda d: d["consent"].__setitem__("colour", "blue"),
            "barnet-map.profile.json: consent.colour: Unknown field.",
        ),
        (
            lambda d: d.pop("outcomes"),
            "barnet-map.profile.json: outcomes: Missing data for required field.",
        ),
        (
            lambda d: d["outcomes"][1].__setitem__("id", "Universal Plus"),
            "barnet-map.profile.json: outcomes[1].id:",
        ),
        (
            lambda d: d["level_of_need"].__setitem__("min_tier", 4),
            "barnet-map.profile.json: level_of_need.max_tier:",
        ),
        (
            lambda d: d.__setitem__("slug", "barnet"),
            "barnet-map.profile.json: slug: Must match the file name",
        ),
    ],
)
def test_a_bad_profile_names_the_key(tmp_path: Path, mutate: Any, message: str) -> None:
    data = builtin("barnet-map.profile.json")
    mutate(data)
    write(tmp_path, "barnet-map.profile.json", data)
    with pytest.raises(ProfileError) as caught:
        load_catalogue([BUILTIN_DIR, tmp_path])
    assert str(caught.value).startswith(message), str(caught.value)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["cadence"].__setitem__("weekday", "someday"),
            "luton-afsp.panel.json: cadence.weekday:",
        ),
        (
            lambda d: d["cadence"].__setitem__("first_meeting", "2026-01-09"),
            "luton-afsp.panel.json: cadence.first_meeting:",
        ),
        (
            lambda d: d["agencies"][2].__setitem__("secure_email", "not an email"),
            "luton-afsp.panel.json: agencies[2].secure_email:",
        ),
        (
            lambda d: d["agencies"][1]["aliases"].append("NSPCC"),
            "luton-afsp.panel.json: agencies[9].name: Also names agency 'access-services'",
        ),
        (
            lambda d: d.__setitem__("profile", "nowhere"),
            "luton-afsp.panel.json: profile: No profile 'nowhere'",
        ),
    ],
)
def test_a_bad_panel_names_the_key(tmp_path: Path, mutate: Any, message: str) -> None:
    data = builtin("luton-afsp.panel.json")
    mutate(data)
    write(tmp_path, "luton-afsp.panel.json", data)
    with pytest.raises(ProfileError) as caught:
        load_catalogue([BUILTIN_DIR, tmp_path])
    assert str(caught.value).startswith(message), str(caught.value)


def test_invalid_json_is_reported_with_the_file(tmp_path: Path) -> None:
    (tmp_path / "x.profile.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"^x\.profile\.json: not valid JSON"):
        load_catalogue([tmp_path])


def test_a_council_adds_its_own_panel_without_code(tmp_path: Path) -> None:
    profile = builtin("generic.profile.json") | {
        "slug": "exampleshire-ehp",
        "name": "Exampleshire panel",
    }
    profile["age"]["max_years"] = 24
    panel = builtin("generic.panel.json") | {"slug": "exampleshire-ehp", "profile": "exampleshire-ehp"}
    write(tmp_path, "exampleshire-ehp.profile.json", profile)
    write(tmp_path, "exampleshire-ehp.panel.json", panel)
    catalogue = load_catalogue(profile_dirs(str(tmp_path)))
    assert catalogue.profile_for("exampleshire-ehp").age.max_years == 24
    assert "generic" in catalogue.panels


def test_a_later_directory_replaces_a_shipped_file(tmp_path: Path) -> None:
    shutil.copy(BUILTIN_DIR / "generic.profile.json", tmp_path / "generic.profile.json")
    data = builtin("generic.profile.json")
    data["safeguarding"]["clock_hours"] = 12
    write(tmp_path, "generic.profile.json", data)
    assert load_catalogue([BUILTIN_DIR, tmp_path]).profiles["generic"].safeguarding.clock_hours == 12


def test_missing_directory_and_unknown_panel() -> None:
    with pytest.raises(ProfileError, match="does not exist"):
        load_catalogue([Path("/nonexistent/mapdocs-profiles")])
    with pytest.raises(UnknownPanel):
        load_catalogue([BUILTIN_DIR]).panel("nowhere")


def test_profile_dirs_follow_the_built_in_one_in_order(tmp_path: Path) -> None:
    other = tmp_path / "b"
    assert profile_dirs() == [BUILTIN_DIR]
    assert profile_dirs(f"{tmp_path}:{other}") == [
        BUILTIN_DIR,
        tmp_path,
        other,
    ]
