"""Cross-reference checks of the `decisions:` section: every name it uses must exist, every lever must be
one the engine reads, every option an actor is told to take must be its own.

Called by the scenario loader; each problem names the file, line and field path and suggests valid names.
"""

from __future__ import annotations

import difflib
from typing import Any, Callable

from detente.decisions import escalation
from detente.decisions.options import LEVERS, SIDES, feature_names, parse_effect
from detente.decisions.schema import Condition
from detente.dynamics.scopes import SCOPES
from detente.errors import Problem


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.5)
    if close:
        return f"did you mean {', '.join(repr(c) for c in close)}?"
    return f"valid names: {', '.join(choices[:14])}{' …' if len(choices) > 14 else ''}" if choices else ""


def decision_problems(scenario: Any, located: Any, file: str) -> list[Problem]:
    """Every naming mistake in `scenario.decisions` (empty if there is none or it is sound)."""
    setup = scenario.decisions
    if setup is None:
        return []
    from detente.decisions.policies import REGISTRY
    from detente.world.geography import load_geography

    geography = load_geography()
    problems: list[Problem] = []

    def flag(loc: tuple, message: str, hint: str = "", value: object = None) -> None:
        f, line = located.where(("decisions", *loc))
        problems.append(Problem(file=f or file, line=line, field=".".join(map(str, ("decisions", *loc))),
                                message=message, hint=hint, value=value))

    backers = list(scenario.backers)
    contestable = [r for r, s in scenario.regions.items() if s.contestable]
    features = feature_names(list(geography.ids), backers)
    actions = escalation.known_names()
    actors = list(setup.actors)
    beliefs = list(setup.beliefs)

    def check_feature(loc: tuple, name: str) -> None:
        for part in name.split("*"):
            if part.strip() not in features:
                flag(loc, f"unknown state feature '{part.strip()}'", _suggest(part.strip(), features), name)

    def check_condition(loc: tuple, c: Condition, holder: str) -> None:
        given = [x for x in (c.feature, c.belief, c.actor) if x is not None]
        if len(given) != 1:
            flag(loc, "a condition names exactly one of `feature`, `belief` or `actor`")
            return
        if c.feature is not None:
            check_feature(loc + ("feature",), c.feature)
        if c.belief is not None:
            if c.belief not in setup.beliefs:
                flag(loc + ("belief",), f"unknown belief '{c.belief}'", _suggest(c.belief, beliefs), c.belief)
            elif setup.beliefs[c.belief].holder != holder:
                flag(loc + ("belief",), f"belief '{c.belief}' is held by '{setup.beliefs[c.belief].holder}', "
                     f"not '{holder}'", "an actor can only act on its own beliefs", c.belief)
        if c.actor is not None:
            if c.actor not in setup.actors:
                flag(loc + ("actor",), f"unknown deciding actor '{c.actor}'", _suggest(c.actor, actors), c.actor)
            else:
                own = list(setup.actors[c.actor].options)
                for i, o in enumerate(c.chose or []):
                    if o not in own:
                        flag(loc + ("chose", i), f"'{c.actor}' has no option '{o}'", _suggest(o, own), o)
            if not c.chose:
                flag(loc, "a condition on an actor needs `chose: [options]`")
        elif c.above is None and c.below is None:
            flag(loc, "a condition on a feature or belief needs `above:` and/or `below:`")

    for name, a in setup.actors.items():
        loc = ("actors", name)
        if name not in scenario.actors:
            flag(loc, f"deciding actor '{name}' is not in `actors:`", _suggest(name, list(scenario.actors)), name)
        if a.policy not in REGISTRY:
            flag(loc + ("policy",), f"unknown policy '{a.policy}'", f"registered policies: {', '.join(REGISTRY)}",
                 a.policy)
        options = list(a.options)
        if not options:
            flag(loc + ("options",), "an actor needs at least one option")
            continue
        if a.initial not in a.options:
            flag(loc + ("initial",), f"'{name}' has no option '{a.initial}'", _suggest(a.initial, options), a.initial)
        for week, option in a.script.items():
            if option not in a.options:
                flag(loc + ("script", week), f"the script chooses '{option}', which '{name}' does not have",
                     _suggest(option, options), option)
        if a.policy == "script" and not a.script:
            flag(loc + ("script",), "policy `script` needs `script: {week: option}`", "e.g. script: {0: hold_ground}")
        for i, rule in enumerate(a.rules):
            if rule.choose not in a.options:
                flag(loc + ("rules", i, "choose"), f"the rule chooses '{rule.choose}', which '{name}' does not have",
                     _suggest(rule.choose, options), rule.choose)
            if rule.type is not None and rule.type not in a.types:
                flag(loc + ("rules", i, "type"), f"'{name}' has no type '{rule.type}'",
                     f"declare it under types: ({', '.join(a.types) or 'none declared'})", rule.type)
            for j, c in enumerate(rule.when):
                check_condition(loc + ("rules", i, "when", j), c, name)
        if a.types and sum(p.value for p in a.types.values()) <= 0:
            flag(loc + ("types",), "type probabilities add up to zero")
        for oname, o in a.options.items():
            oloc = loc + ("options", oname)
            for effect in o.effects:
                _check_effect(effect, oloc + ("effects", effect), flag, geography, backers, contestable)
            for i, action in enumerate(o.escalation):
                if action.strip() not in actions:
                    flag(oloc + ("escalation", i), f"'{action}' is not an action or category of the escalation scale",
                         _suggest(action, actions), action)
            nuclear = any(escalation.category(x) == "nuclear" for x in o.escalation if x.strip() in actions)
            if nuclear and not o.available_when:
                flag(oloc + ("available_when",), "a nuclear option needs a threshold (`available_when:`)",
                     "e.g. available_when: [{feature: russia_home_control, below: 0.9}]")
            for term in o.terms:
                check_feature(oloc + ("terms", term), term)
            for i, risk in enumerate(o.risks):
                if risk.belief not in setup.beliefs:
                    flag(oloc + ("risks", i, "belief"), f"unknown belief '{risk.belief}'",
                         _suggest(risk.belief, beliefs), risk.belief)
            for i, c in enumerate(o.available_when):
                check_condition(oloc + ("available_when", i), c, name)

    for bname, b in setup.beliefs.items():
        loc = ("beliefs", bname)
        for key in ("holder", "about"):
            who = getattr(b, key)
            if who not in setup.actors:
                flag(loc + (key,), f"'{who}' is not a deciding actor", _suggest(who, actors), who)
        if b.about in setup.actors:
            about = setup.actors[b.about]
            if about.types and b.type not in about.types:
                flag(loc + ("type",), f"'{b.about}' has no type '{b.type}'", _suggest(b.type, list(about.types)),
                     b.type)
            for option in b.likelihood:
                if option not in about.options:
                    flag(loc + ("likelihood", option), f"'{b.about}' has no option '{option}'",
                         _suggest(option, list(about.options)), option)
    return problems


def _check_effect(effect: str, loc: tuple, flag: Callable[..., None], geography: Any, backers: list[str],
                  contestable: list[str]) -> None:
    lever, index = parse_effect(effect)
    if lever not in LEVERS:
        flag(loc, f"unknown engine quantity '{lever}'", _suggest(lever, list(LEVERS)), effect)
        return
    kind = LEVERS[lever][0]
    if kind is None:
        if index is not None:
            flag(loc, f"'{lever}' is one number per run; it takes no '.{index}'", f"write `{lever}:`", effect)
        return
    if index is None:
        flag(loc, f"'{lever}' needs a {kind}: `{lever}.NAME`", "", effect)
        return
    if kind == "region":
        if index not in geography.ids:
            flag(loc, f"unknown region '{index}'", _suggest(index, list(geography.ids)), effect)
        elif lever == "objective" and index not in contestable:
            flag(loc, f"region '{index}' is not contestable in this scenario, so no offensive can target it",
                 f"set `regions.{index}.contestable: true` (with its control) in the scenario", effect)
    elif kind == "backer" and index not in backers:
        flag(loc, f"unknown backer '{index}'", _suggest(index, backers), effect)
    elif kind == "scope" and index not in SCOPES:
        flag(loc, f"unknown agreement scope '{index}'", _suggest(index, list(SCOPES)), effect)
    elif kind == "side" and index not in SIDES:
        flag(loc, f"unknown side '{index}'", "russia or ukraine", effect)
