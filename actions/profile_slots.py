"""The applicant's profile in slots: `profile` holds kvisa's Profile as a dict (the truth); the four form slots
mirror the deciding degree's ids, so that the form knows what is still missing."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, Optional

from rasa_sdk import Tracker

import kvisa

PROFILE = "profile"
PENDING = "what_if_pending"  # a what-if waiting for a fact the form asks for (actions/verdict.py)
FOR_SOMEONE_ELSE = "for_someone_else"  # the questions say "they" (domain/core.yml)
# Intents whose message is an answer or a statement of facts: a bare "27" or "physics" is read as the answer
# to the question being asked only in these (not in "is 45 the limit?").
ANSWER_INTENTS = {"inform", "check_eligibility", "what_if", "nlu_fallback", "affirm", "deny", None}


def stored_profile(tracker: Tracker) -> kvisa.Profile:
    return kvisa.Profile.from_dict(tracker.get_slot(PROFILE))


def merge(old: kvisa.Profile, new: kvisa.Profile) -> kvisa.Profile:
    """What a new message adds to the profile: stated facts replace old ones; degrees are added, and a degree
    of a level already known replaces it (a correction), keeping what the new mention does not say."""
    degrees = list(old.degrees)
    for d in new.degrees:
        if not d.level:  # a bare field or institution answer: it belongs to the deciding degree
            target = _deciding_index(degrees)
            if target is None:
                degrees.append(d)
            elif d.field and not degrees[target].field:
                # "history of art, both of them": the subject of every degree whose subject is not known yet
                degrees = [replace(o, field=d.field) if not o.field else o for o in degrees]
                cur = degrees[target]
                degrees[target] = replace(cur, institution=d.institution or cur.institution,
                                          institution_text=d.institution_text or cur.institution_text,
                                          online=cur.online or d.online)
            else:
                cur = degrees[target]
                degrees[target] = replace(cur, field=d.field or cur.field, institution=d.institution or cur.institution,
                                          institution_text=d.institution_text or cur.institution_text,
                                          online=cur.online or d.online)
            continue
        same = next((i for i, o in enumerate(degrees) if o.level in (d.level, "")), None)
        if same is None:
            degrees.append(d)
        else:
            o = degrees[same]
            # "economics for the BSc, the MSc is data science": naming the degree again to give its field does
            # not make a degree in progress finished, nor an online one on campus
            degrees[same] = replace(d, field=d.field or o.field, institution=d.institution or o.institution,
                                    institution_text=d.institution_text or (None if d.institution else o.institution_text),
                                    in_progress=d.in_progress or o.in_progress, online=d.online or o.online)
    skipped = tuple(s for s in old.skipped if not _stated(new, s)) + tuple(s for s in new.skipped if s not in old.skipped)
    return kvisa.Profile(
        age=new.age if new.age is not None else old.age,
        age_note=new.age_note if new.age is not None else old.age_note,
        degrees=tuple(degrees),
        applicant=new.applicant or old.applicant,
        teaching_or_research=old.teaching_or_research or new.teaching_or_research,
        online_hint=old.online_hint or new.online_hint,
        skipped=skipped)


def _stated(profile: kvisa.Profile, name: str) -> bool:
    return bool(form_values(profile).get(name)) and form_values(profile)[name] != kvisa.SKIPPED


def _deciding_index(degrees) -> Optional[int]:
    chosen = kvisa.best_degree(kvisa.Profile(degrees=tuple(degrees)))
    return None if chosen is None else list(degrees).index(chosen)


def form_values(profile: kvisa.Profile) -> Dict[str, Optional[str]]:
    """The four form slots for a profile: ids of the deciding degree, None where still unknown."""
    chosen = kvisa.best_degree(profile)
    if chosen is None:
        chosen = next((d for d in profile.degrees if d.field or d.institution), None)
    values: Dict[str, Optional[str]] = {
        "age": str(profile.age) if profile.age is not None else None,
        # a degree in progress is not an answer to "which degree do you have?"
        "degree": chosen.level if chosen is not None and chosen.level and not chosen.in_progress else None,
        "field": chosen.field if chosen is not None else None,
        "institution": chosen.institution if chosen is not None else None,
    }
    for name in profile.skipped:
        if values.get(name) is None:
            values[name] = kvisa.SKIPPED
    return values


def slot_events(profile: kvisa.Profile) -> Dict[str, Any]:
    out: Dict[str, Any] = {PROFILE: profile.to_dict()}
    out.update(form_values(profile))
    return out
