"""The decision controller: actors choose options each review week, options move the engine's levers,
actions are observed with noise and beliefs follow Bayes' rule; every choice is logged with its reasons.

Per block of N runs, all arrays: each actor's option in force (N,), its hidden type (N,), each belief (N,).
Randomness comes only from the block's `decisions` stream (`BlockContext.stream("decisions")`), never from
the engine's dynamics stream or the table's, so adding or changing decisions leaves the war's and the
table's noise untouched and variants compare on common random numbers.

Order within a week: `act` (actors in the order the scenario lists them reconsider; scripted actors every
week, the others every `review_weeks`; then levers are written) → the engine's step → `observe` (beliefs
of actors who watch someone who reconsidered are updated; the escalation score of the week is recorded).

The weekly escalation score measures what happened (`escalation.measured_week`: energy strikes, advances into
new regions, truce violations, signings, announced options, foreign troops, nuclear options), from the state
as `act` saw it before the week and as `observe` sees it after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.decisions import beliefs as bayes
from detente.decisions import escalation
from detente.decisions.options import LeverEntry, Situation, feature, lever_entry, write_levers
from detente.decisions.policies import DecisionContext, Policy, make_policy
from detente.decisions.schema import DecisionSetup
from detente.ensemble.per_run import resolve, with_overrides
from detente.ensemble.streams import BlockContext
from detente.scenario.params import Param
from detente.world.model import WarModel
from detente.world.state import WarState


def draw_param(p: Param, runs: int, rng: np.random.Generator) -> np.ndarray:
    """One value per run: the value, or a draw where the parameter carries `between` or `spread`."""
    if p.between:
        return rng.uniform(p.between[0], p.between[1], size=runs)
    if p.spread:
        s = float(p.spread)
        return p.value * np.exp(s * rng.standard_normal(runs) - 0.5 * s * s)
    return np.full(runs, float(p.value))


@dataclass(frozen=True)
class CompiledActor:
    """An actor's options as arrays: which levers each option sets, to what, and its escalation points."""

    name: str
    options: list[str]
    sets: np.ndarray        # (K, E) bool
    values: np.ndarray      # (K, E)
    points: np.ndarray      # (K,)
    nuclear: np.ndarray     # (K,) bool
    announced: np.ndarray   # (K,) bool
    types: list[str]
    type_probs: np.ndarray  # (T,)


@dataclass(frozen=True)
class DecisionProgram:
    """A scenario's decisions compiled against a model (the same for every block)."""

    setup: DecisionSetup
    actors: dict[str, CompiledActor]
    entries: list[LeverEntry]


def compile_program(setup: DecisionSetup, model: WarModel) -> DecisionProgram:
    """Resolve effect names to lever cells and option actions to escalation points."""
    names = sorted({e for a in setup.actors.values() for o in a.options.values() for e in o.effects})
    entries = [lever_entry(n, model) for n in names]
    actors = {}
    for actor, a in setup.actors.items():
        options = list(a.options)
        sets = np.zeros((len(options), len(names)), bool)
        values = np.zeros((len(options), len(names)))
        for k, o in enumerate(options):
            for e, n in enumerate(names):
                if n in a.options[o].effects:
                    sets[k, e] = True
                    effect = a.options[o].effects[n]
                    values[k, e] = np.nan if effect == "start" else effect.value  # nan: the run's starting value
        points = np.array([escalation.option_points(a.options[o].escalation) for o in options])
        nuclear = np.array([any(escalation.category(x) == "nuclear" for x in a.options[o].escalation)
                            for o in options])
        announced = np.array([a.options[o].announced for o in options])
        types = list(a.types)
        probs = np.array([a.types[t].value for t in types]) if types else np.zeros(0)
        actors[actor] = CompiledActor(actor, options, sets, values, points, nuclear, announced, types, probs)
    return DecisionProgram(setup, actors, entries)


class DecisionController:
    """Actors choosing among options for one block of runs (the runner's `Controller` protocol)."""

    def __init__(self, setup: DecisionSetup, model: WarModel):
        self.setup = setup
        self.program = compile_program(setup, model)
        self.model = model
        self.option_index = {a: {o: k for k, o in enumerate(c.options)} for a, c in self.program.actors.items()}
        self.type_index = {a: {t: i for i, t in enumerate(c.types)} for a, c in self.program.actors.items()}
        self.levers = {e.lever for e in self.program.entries}

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self, model: WarModel, state: WarState, context: BlockContext) -> WarState:
        """Draw types and priors, put the initial options in force."""
        self.rng = context.stream("decisions")
        self.logging = context.keeps_row_logs  # the log is kept for the ensemble's first runs only
        n, self.runs, self.weeks = state.runs, state.runs, model.horizon_weeks
        self.model, self.start_state = model, state
        self.base = np.stack([e.read(state) for e in self.program.entries], axis=1) if self.program.entries \
            else np.zeros((n, 0))
        fixed = resolve(self.setup, "decisions", context.overrides)  # per-run values from a design, by Param
        self.choice: dict[str, np.ndarray] = {}
        self._counted: dict[str, tuple] = {}  # _count's and _nuclear's last results, by the options they were for
        self.types: dict[str, np.ndarray] = {}
        self.policies: dict[str, Policy] = {}
        for name, a in self.setup.actors.items():
            compiled = self.program.actors[name]
            self.choice[name] = np.full(n, compiled.options.index(a.initial))
            if compiled.types:
                probs = compiled.type_probs / compiled.type_probs.sum()
                self.types[name] = np.searchsorted(np.cumsum(probs), self.rng.random(n), side="right").clip(
                    0, len(probs) - 1)
            else:
                self.types[name] = np.full(n, -1)
            params = {key: with_overrides(draw_param(getattr(a, key), n, self.rng), getattr(a, key), fixed)
                      for key in ("risk_aversion", "temperature", "switching_cost")}
            params["fixed"] = fixed  # option values and risk losses a sensitivity design sets per run
            self.policies[name] = make_policy(a, compiled.options, params)
        self.belief: dict[str, np.ndarray] = {}
        self.accuracy: dict[str, np.ndarray] = {}
        self.tables_: dict[str, np.ndarray] = {}
        for bname, b in self.setup.beliefs.items():
            self.belief[bname] = np.clip(with_overrides(draw_param(b.prior, n, self.rng), b.prior, fixed), 0.0, 1.0)
            self.accuracy[bname] = np.clip(with_overrides(draw_param(b.accuracy, n, self.rng), b.accuracy, fixed),
                                           0.0, 1.0)
            self.tables_[bname] = bayes.likelihood_table(dict(b.likelihood), self.program.actors[b.about].options)
        self.score = np.zeros((self.weeks + 1, n)).T  # (N, W+1), week-major: a week's runs side by side as written
        self.scale = escalation.MeasuredScale(repair=np.asarray(model.sides["energy_repair_per_week"], float),
                                              home=np.asarray(model.home, bool))
        self.before = escalation.WeekView.of(state)
        self.score[:, 0] = escalation.SIGNAL * self._count("announced") + escalation.NUCLEAR * self._count("nuclear")
        self.nuclear = self._nuclear().copy()  # accumulated in place: not the kept result
        self.weeks_in = {a: np.zeros((n, len(c.options))) for a, c in self.program.actors.items()}
        self.run_offset = {a: np.arange(n) * len(c.options) for a, c in self.program.actors.items()}
        self.reviewed: set[str] = set()
        # per actor: the lever values its options have set so far (kept until another of its options sets them)
        self.held = {a: self.base.copy() for a in self.program.actors}
        self.holding = {a: np.zeros(self.base.shape, bool) for a in self.program.actors}
        self.shift: dict[str, np.ndarray] = {}  # per actor: what its held values add to the base where it holds
        self.log: list[dict[str, np.ndarray]] = []
        self._applied = None
        return self._apply(state)

    def act(self, state: WarState, context: BlockContext) -> WarState:
        """Actors reconsider (scripts every week, others every review), then levers follow their options."""
        week = state.week
        review = week % self.setup.review_weeks == 0
        situation = Situation(self.model, self.start_state, state, self.score[:, week])
        cache: dict[str, np.ndarray] = {}

        def read(name: str) -> np.ndarray:
            if name not in cache:
                cache[name] = feature(name, situation)
            return cache[name]

        self.reviewed = set()
        for name, a in self.setup.actors.items():
            policy = self.policies[name]
            if not (review or policy.traits.get("weekly")):
                continue
            compiled = self.program.actors[name]
            held = {b: v for b, v in self.belief.items() if self.setup.beliefs[b].holder == name}
            context = DecisionContext(week=week, runs=self.runs, current=self.choice[name],
                                      available=np.ones((self.runs, len(compiled.options)), bool), feature=read,
                                      beliefs=held, chosen=self.choice, option_index=self.option_index,
                                      own_type=self.types[name], type_index=self.type_index[name])
            context.available = np.stack([context.all_hold(a.options[o].available_when) for o in compiled.options],
                                         axis=1)
            picked = policy.choose(context, self.rng)
            previous = self.choice[name]
            changed = picked.option != previous
            logged = changed | (week == 0) if policy.traits.get("weekly") else np.ones(self.runs, bool)
            if self.logging and logged.any():
                self._log(week, name, compiled.options, previous, picked, logged, held)
            self.choice = {**self.choice, name: picked.option}
            self.reviewed.add(name)
        state = self._apply(state)
        self.before = escalation.WeekView.of(state)
        return state

    def observe(self, state: WarState, report: Any) -> None:
        """Update beliefs about actors who just reconsidered; record the week's escalation score."""
        for bname, b in self.setup.beliefs.items():
            if b.about not in self.reviewed:
                continue
            compiled = self.program.actors[b.about]
            perceived = bayes.perceive(self.choice[b.about], compiled.announced, self.accuracy[bname], self.rng)
            self.belief[bname] = bayes.update_from_action(self.belief[bname], perceived, self.tables_[bname],
                                                          compiled.announced, self.accuracy[bname])
        week = report.week
        after = escalation.WeekView.of(state, kept=False)  # read at once: nothing to keep
        measured = escalation.measured_week(self.before, after, self._count("announced"), self._count("nuclear"),
                                            self.scale)
        self.score[:, week] = measured["total"]
        self.nuclear |= self._nuclear()
        for a, c in self.program.actors.items():  # one more week in the option each run is in (flat: run, option;
            self.weeks_in[a].reshape(-1)[self.run_offset[a] + self.choice[a]] += 1.0  # one cell per run: no add.at)

    # --- outputs ---------------------------------------------------------------------------------
    def metrics(self) -> dict[str, np.ndarray]:
        """Escalation peak and mean, nuclear use, each option's share of weeks, final beliefs."""
        out = dict(escalation.summary(self.score))
        out["nuclear_use"] = self.nuclear.astype(float)
        for a, c in self.program.actors.items():
            total = np.maximum(self.weeks_in[a].sum(axis=1), 1.0)
            for k, o in enumerate(c.options):
                out[f"option_share/{a}/{o}"] = self.weeks_in[a][:, k] / total
        for bname, value in self.belief.items():
            out[f"belief/{bname}"] = value.copy()
        return out

    def weekly(self) -> dict[str, np.ndarray]:
        """The weekly escalation score (N, W+1)."""
        return {"escalation_score": self.score.copy()}

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        """The decision log: one row per actor, run and week it reconsidered (scripts: when they change)."""
        if not self.log:
            return {}
        columns = self.log[0].keys()
        return {"decisions": {c: np.concatenate([part[c] for part in self.log]) for c in columns}}

    # --- internals -------------------------------------------------------------------------------
    def _apply(self, state: WarState) -> WarState:
        if not self.program.entries:
            return state
        last = getattr(self, "_applied", None)
        if last is not None and all(getattr(state, lever) is last[0][lever] for lever in self.levers) and \
                all(self.choice[a] is last[1][a] or np.array_equal(self.choice[a], last[1][a]) for a in self.choice):
            return state  # same options, levers untouched since: writing them again would change nothing
        values = self.base.copy()
        holding = np.zeros(self.base.shape, bool)
        applied = last[1] if last is not None else {}
        for a, c in self.program.actors.items():
            k, before = self.choice[a], applied.get(a)
            if before is None or not (k is before or np.array_equal(k, before)):
                sets = c.sets[k]  # an actor whose options are those last applied would set what it set: kept
                chosen = c.values[k]
                chosen = np.where(np.isnan(chosen), self.base, chosen)  # `start`: back to the run's own value
                self.held[a] = np.where(sets, chosen, self.held[a])  # an option sets; the value then persists
                self.holding[a] |= sets
                self.shift[a] = np.where(self.holding[a], self.held[a] - self.base, 0.0)
            values += self.shift[a]  # summed in the actors' order every time
            holding |= self.holding[a]
        state = write_levers(state, self.program.entries, values, holding)
        self._applied = ({lever: getattr(state, lever) for lever in self.levers}, dict(self.choice))
        return state

    def _count(self, flag: str) -> np.ndarray:
        """How many actors have an option in force that is `announced` / `nuclear` (N,); read, never written. Kept
        while the options in force are the same (`self.choice` is replaced, never changed, when an actor chooses:
        between review weeks it is the same dict)."""
        known = self._counted.get(flag)
        if known is not None and known[0] is self.choice:
            return known[1]
        total = np.zeros(self.runs)
        for a, c in self.program.actors.items():
            total += getattr(c, flag)[self.choice[a]]
        self._counted[flag] = (self.choice, total)
        return total

    def _nuclear(self) -> np.ndarray:
        known = self._counted.get("nuclear use")
        if known is not None and known[0] is self.choice:
            return known[1]
        hit = np.zeros(self.runs, bool)
        for a, c in self.program.actors.items():
            hit |= c.nuclear[self.choice[a]]
        self._counted["nuclear use"] = (self.choice, hit)
        return hit

    def _log(self, week: int, actor: str, options: list[str], previous: np.ndarray, picked: Any,
             logged: np.ndarray, held: dict[str, np.ndarray]) -> None:
        rows = np.flatnonzero(logged)
        names = np.array(options, dtype=object)
        template = "; ".join(f"{o}=%.4g" for o in options)  # one C-level format per row
        value_text = np.array([template % tuple(row) for row in np.round(picked.values[rows], 4).tolist()],
                              dtype=object)
        believed = sorted(held.items())
        template = "; ".join(f"{b}=%.3f" for b, _ in believed)
        columns = [v[rows].tolist() for _, v in believed]
        belief_text = np.array([template % row for row in zip(*columns)] if columns else [""] * len(rows),
                               dtype=object)
        self.log.append({
            "run": rows.astype(np.int64), "week": np.full(len(rows), week, np.int32),
            "actor": np.full(len(rows), actor, dtype=object),
            "option": names[picked.option[rows]], "previous": names[previous[rows]],
            "changed": picked.option[rows] != previous[rows], "rule": picked.rule[rows].astype(np.int32),
            "option_values": value_text, "beliefs": belief_text,
        })


class DecisionControllerFactory:
    """Builds a `DecisionController` per block (a picklable callable, for the Dask backend)."""

    def __init__(self, setup: DecisionSetup):
        self.setup = setup

    def __call__(self, model: WarModel) -> DecisionController:
        """A controller for one block."""
        return DecisionController(self.setup, model)
