"""Priors for the table's partial deals, derived from the war's own record of talks (to 31 December 2024).

Reads `data/record/diplomacy_events.csv` (dated, cited events 24 Feb 2022 – 18 Mar 2025; its README is
`data/record/diplomacy_events_README.md`) and writes `data/calibration/partial_deals.json`: each prior with its
value, how it was computed and the record rows (date, kind, outcome) it comes from. Only rows dated on or before
2024-12-31 enter a prior (the project's rule: dynamics are fitted on the record to the end of 2024); the 2025
rows are listed separately as the baseline's starting context and enter no figure.

What is derived, and why each figure is what the table needs:
- prisoner exchanges: how many a year (the rate of one-off exchange events) and persons each (the size of an
  event), from the 2023–2024 rows: the war of attrition the baseline continues, after the 2022 burst of small
  local swaps; the 2022 figures are kept beside them;
- the Black Sea Grain Initiative: its term (120 days as signed; renewals of 120, 60 and 60 days in Russia's
  reading), the share of expiries at which it was renewed (3 of 4), its life (360 days) and the days it was
  suspended (4), so a `black_sea` agreement's duration, renewal and compliance have a record to stand on;
- how every partial arrangement of the record ended (corridors, the grain deal, the exchange terms of
  September 2022, the Zaporizhzhia plant arrangements, the Christmas truce, the 2024 Black Sea text): held,
  expired, exited, declared breached, collapsed, or never implemented;
- agreements in principle, direct talks without a mediator and summits: how many a year and how many led to
  an implemented deal.

Usage: python tools/partial_deals.py   (writes data/calibration/partial_deals.json and prints a summary)
"""

from __future__ import annotations

import csv
import hashlib
import json
import statistics
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "data" / "record" / "diplomacy_events.csv"
OUT = ROOT / "data" / "calibration" / "partial_deals.json"
CUTOFF = date(2024, 12, 31)
RATE_YEARS = (2023, 2024)  # the window of the exchange rate and size (see the module docstring)

# How each partial arrangement of the record ended, read from its rows (date, kind); the tool checks that every
# row named here is in the record, so a change of the record cannot silently change a classification.
ARRANGEMENTS = [
    {"name": "local humanitarian ceasefires, Mariupol and Volnovakha", "signed_by": "both belligerents",
     "rows": [("2022-03-03", "talks_direct"), ("2022-03-05", "other")], "ended": "collapsed",
     "days_kept": 0, "note": "collapsed within hours on 5 and 6 March 2022"},
    {"name": "Sumy humanitarian corridor", "signed_by": "both belligerents",
     "rows": [("2022-03-08", "other"), ("2022-03-15", "other")], "ended": "held to its end",
     "days_kept": 8, "note": "buses left Sumy on 8 March; a convoy of 80 buses on 15 March (ICRC)"},
    {"name": "Azovstal evacuation (UN and ICRC)", "signed_by": "Russia with the UN",
     "rows": [("2022-04-26", "agreement_in_principle"), ("2022-04-29", "other")], "ended": "held to its end",
     "days_kept": 10, "note": "agreed in principle on 26 April; over 600 civilians evacuated 29 April – 8 May"},
    {"name": "Istanbul communique", "signed_by": "none",
     "rows": [("2022-03-29", "proposal"), ("2022-04-07", "other"), ("2022-05-17", "other")],
     "ended": "never implemented", "days_kept": 0,
     "note": "initialled drafts never signed; drafts diverged in April; talks suspended 17 May 2022"},
    {"name": "Black Sea Grain Initiative", "signed_by": "both belligerents (mirror texts with Turkey and the UN)",
     "rows": [("2022-07-22", "agreement_signed"), ("2022-10-29", "agreement_suspended"), ("2022-11-02", "other"),
              ("2022-11-17", "agreement_renewed"), ("2023-03-18", "agreement_renewed"),
              ("2023-05-17", "agreement_renewed"), ("2023-07-17", "agreement_ended")],
     "ended": "not renewed at expiry (Russia's exit)", "days_kept": 356,
     "note": "360 days from signature to Russia's exit; suspended by Russia 29 Oct – 2 Nov 2022"},
    {"name": "Russia–UN memorandum on food and fertiliser", "signed_by": "Russia with the UN",
     "rows": [("2022-07-22", "agreement_signed")], "ended": "in force at the cut-off", "days_kept": None,
     "note": "three-year term; Russia called it unfulfilled but did not end it"},
    {"name": "Exchange terms of September 2022 (Azov commanders to stay in Turkey)",
     "signed_by": "both belligerents with Turkey", "rows": [("2022-09-21", "prisoner_exchange"),
                                                             ("2023-07-08", "other")],
     "ended": "declared breached", "days_kept": 290, "note": "Russia declared them breached on 8 July 2023"},
    {"name": "Zaporizhzhia plant: IAEA presence", "signed_by": "both belligerents admitted the mission",
     "rows": [("2022-08-18", "summit"), ("2022-09-01", "other")], "ended": "in force at the cut-off",
     "days_kept": None, "note": "permanent IAEA presence from 1 September 2022, kept through the record"},
    {"name": "Zaporizhzhia plant: protection zone and five principles", "signed_by": "none",
     "rows": [("2022-09-06", "proposal"), ("2022-10-11", "talks_mediated"), ("2023-05-30", "proposal")],
     "ended": "never accepted by both", "days_kept": 0,
     "note": "the zone (Sept 2022) and the principles (May 2023) were never formally accepted by both sides"},
    {"name": "Orthodox Christmas truce", "signed_by": "Russia alone (unilateral)",
     "rows": [("2023-01-06", "unilateral_truce")], "ended": "violated from the start", "days_kept": 0,
     "note": "36 hours declared from noon on 6 January 2023; rejected by Ukraine; shelling from the first hour"},
    {"name": "Black Sea shipping text of March 2024", "signed_by": "none",
     "rows": [("2024-03-30", "agreement_in_principle")], "ended": "never implemented", "days_kept": 0,
     "note": "text agreed through Turkey but abandoned before its announcement"},
    {"name": "Energy-strike moratorium talks (Qatar)", "signed_by": "none",
     "rows": [("2024-08-17", "talks_mediated")], "ended": "never implemented", "days_kept": 0,
     "note": "postponed by Russia after the Kursk incursion"},
]

# Grain deal terms (days) at signature and each renewal, as the rows state them (Russia's reading where the
# parties' readings differ: 18 Mar 2023, Russia 60 days, the UN and Ukraine 120).
GRAIN_TERMS = [("2022-07-22", 120, "signed for 120 days"), ("2022-11-17", 120, "renewed for 120 days from 19 Nov"),
               ("2023-03-18", 60, "renewed; Russia 60 days, the UN and Ukraine 120"),
               ("2023-05-17", 60, "renewed for two months")]

# A summit "with a deal" ends in a text the participants signed or accepted (a communique, accepted
# parameters); "no statement", "no joint plan" and a co-chairs' statement are summits without one.
SUMMIT_DEAL = {"2022-08-18": True, "2023-06-24": False, "2023-08-05": False, "2023-10-28": False,
               "2024-01-14": False, "2024-06-15": True}


def load(path: Path = RECORD) -> list[dict[str, str]]:
    """The record's rows, as the CSV gives them."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _ref(row: dict[str, str]) -> dict[str, str]:
    """A row as cited in the output: its date, kind and outcome (the record gives its sources)."""
    return {"date": row["date"], "kind": row["kind"], "outcome": row["outcome"]}


def _find(rows: list[dict[str, str]], day: str, kind: str) -> dict[str, str]:
    for row in rows:
        if row["date"] == day and row["kind"] == kind:
            return row
    raise SystemExit(f"{RECORD.relative_to(ROOT)}: no row dated {day} of kind {kind}; the classification in "
                     "tools/partial_deals.py must follow the record")


def exchanges(rows: list[dict[str, str]]) -> dict:
    """Prisoner exchanges per year and persons per exchange (rows with both sides' numbers)."""
    swaps = [r for r in rows if r["kind"] == "prisoner_exchange" and _day(r["date"]) <= CUTOFF]
    by_year: dict[int, dict] = {}
    for year in sorted({_day(r["date"]).year for r in swaps}):
        these = [r for r in swaps if _day(r["date"]).year == year]
        persons = [int(r["persons_exchanged"]) for r in these if r["persons_exchanged"]]
        by_year[year] = {"exchanges": len(these), "with_count": len(persons), "persons": sum(persons),
                         "persons_mean": round(statistics.fmean(persons), 1) if persons else None}
    window = [r for r in swaps if _day(r["date"]).year in RATE_YEARS]
    persons = [int(r["persons_exchanged"]) for r in window if r["persons_exchanged"]]
    days = sorted(_day(r["date"]) for r in window)
    gaps = [(b - a).days for a, b in zip(days, days[1:])]
    years = len(RATE_YEARS)
    all_persons = [int(r["persons_exchanged"]) for r in swaps if r["persons_exchanged"]]
    return {
        "rate_per_year": {
            "value": round(len(window) / years, 2),
            "method": f"exchanges in the record dated {RATE_YEARS[0]}-01-01 … {RATE_YEARS[-1]}-12-31, divided by "
                      f"{years} years ({len(window)} exchanges); Kyiv's own count (48 by August 2023, 60 by "
                      "30 December 2024) gives 12 in 2024 too",
            "per_week": round(len(window) / (years * 52.18), 4),
            "by_year": by_year,
            "events": [_ref(r) for r in window]},
        "persons_per_exchange": {
            "value": round(statistics.fmean(persons)),
            "median": statistics.median(persons), "min": min(persons), "max": max(persons), "n": len(persons),
            "spread": {"value": round(statistics.stdev(persons) / statistics.fmean(persons), 2),
                       "method": "coefficient of variation (sample s.d. / mean) of the same exchanges' sizes"},
            "method": "mean of persons_exchanged (both directions) over the exchanges of the same window with "
                      "both sides' numbers",
            "all_2022_2024": {"mean": round(statistics.fmean(all_persons), 1), "n": len(all_persons)}},
        "gaps_days": {
            "median": statistics.median(gaps), "mean": round(statistics.fmean(gaps), 1), "max": max(gaps),
            "method": "days between consecutive exchanges of the window; the two long pauses (7 Aug 2023 – "
                      "3 Jan 2024, 8 Feb – 31 May 2024) make the gaps more spread than a Poisson process of "
                      "the same rate (whose mean gap is 365/rate days)",
            "poisson_mean": round(365.25 * years / len(window), 1)},
    }


def grain(rows: list[dict[str, str]]) -> dict:
    """The Black Sea Grain Initiative: term, renewals at expiry, life and suspension."""
    signed = _day(_find(rows, "2022-07-22", "agreement_signed")["date"])
    ended = _day(_find(rows, "2023-07-17", "agreement_ended")["date"])
    suspended = (_day(_find(rows, "2022-11-02", "other")["date"]) - _day(_find(rows, "2022-10-29",
                                                                          "agreement_suspended")["date"])).days
    for day, _, _ in GRAIN_TERMS:
        _find(rows, day, "agreement_signed" if day == "2022-07-22" else "agreement_renewed")
    terms = [t for _, t, _ in GRAIN_TERMS]
    renewed, expiries = len(GRAIN_TERMS) - 1, len(GRAIN_TERMS)
    life = (ended - signed).days
    return {
        "term_days": {"value": terms[0], "between": [min(terms), max(terms)], "terms": [
            {"date": d, "days": t, "as_stated": s} for d, t, s in GRAIN_TERMS],
            "method": "the term as signed; the range of the terms at signature and at each renewal"},
        "renewal_share": {"value": round(renewed / expiries, 3), "renewed": renewed, "expiries": expiries,
                          "rule_of_succession": round((renewed + 1) / (expiries + 2), 3),
                          "method": "expiries at which the deal was renewed, of all its expiries (the fourth, "
                                    "17 July 2023, Russia let pass)",
                          "prior": beta_prior(renewed, expiries,
                                              "P(renewal taken up at an expiry): a uniform prior updated by the "
                                              "record; the table draws it per run uniformly on its 90% interval "
                                              "(table.agreements.<scope>.renewal)")},
        "life_days": {"value": life, "method": "signature (22 Jul 2022) to Russia's exit (17 Jul 2023)"},
        "days_suspended": {"value": suspended, "in_force_share": round((life - suspended) / life, 3),
                           "method": "Russia's suspension of 29 Oct – 2 Nov 2022 (ships kept moving under the UN, "
                                     "Turkey and Ukraine)"},
        "how_it_ended": "not renewed: Russia objected to a fourth renewal and withdrew its navigation guarantees "
                        "two days later (19 Jul 2023); no breakdown by violations is recorded",
    }


def beta_prior(successes: int, trials: int, method: str) -> dict:
    """Beta(1 + s, 1 + n − s), a uniform prior updated by s of n: its mean and 90% interval."""
    from scipy.stats import beta

    a, b = 1 + successes, 1 + trials - successes
    low, high = beta(a, b).ppf([0.05, 0.95])
    return {"value": round(a / (a + b), 3), "beta": [a, b], "between": [round(float(low), 3), round(float(high), 3)],
            "method": method}


def arrangements(rows: list[dict[str, str]]) -> dict:
    """How every partial arrangement of the record ended, and the shares that follow."""
    out = []
    for item in ARRANGEMENTS:
        refs = [_ref(_find(rows, day, kind)) for day, kind in item["rows"]]
        out.append({k: v for k, v in item.items() if k != "rows"} | {"events": refs})
    implemented = [a for a in out if a["signed_by"] != "none"]
    agreed = [a for a in implemented if "unilateral" not in a["signed_by"]]
    kept = [a for a in agreed if a["ended"] in ("held to its end", "in force at the cut-off",
                                                "not renewed at expiry (Russia's exit)")]
    return {"arrangements": out,
            "agreed_kept_share": {
                "value": round(len(kept) / len(agreed), 3), "kept": len(kept), "agreed": len(agreed),
                "method": "agreed (not unilateral) arrangements that held to their end or beyond the cut-off, "
                          "or ended at an expiry rather than by a breach or a collapse",
                "prior": beta_prior(len(kept), len(agreed),
                                    "P(an agreed partial arrangement is kept): what the table's kept share is "
                                    "checked against (tests/test_record_priors.py)")},
            "never_implemented": {"value": len(out) - len(implemented), "of": len(out),
                                  "method": "arrangements agreed in principle, drafted or proposed that were never "
                                            "implemented or never accepted by both sides"}}


def talks(rows: list[dict[str, str]]) -> dict:
    """Agreements in principle, direct talks without a mediator, mediated talks and summits, per year."""
    upto = [r for r in rows if _day(r["date"]) <= CUTOFF]
    years = sorted({_day(r["date"]).year for r in upto})
    span_years = ((CUTOFF - date(2022, 2, 24)).days + 1) / 365.25

    def count(pick) -> dict:  # noqa: ANN001
        these = [r for r in upto if pick(r)]
        recent = [r for r in these if _day(r["date"]).year in RATE_YEARS]
        return {"count": len(these), "per_year": round(len(these) / span_years, 2),
                "per_year_2023_2024": {"value": round(len(recent) / len(RATE_YEARS), 2), "count": len(recent),
                                       "method": "rows of 2023–2024 divided by 2 years (the window of the "
                                                 "exchange rate: the war the baseline continues)"},
                "by_year": {y: sum(_day(r["date"]).year == y for r in these) for y in years},
                "events": [_ref(r) | {"mediator": r["mediator"]} for r in these]}

    belligerents = lambda r: {"russia", "ukraine"} <= set(r["parties"].split(";"))  # noqa: E731
    principle = count(lambda r: r["kind"] == "agreement_in_principle")
    principle["implemented"] = {"2022-04-26": True, "2024-03-30": False}
    direct = count(lambda r: r["kind"] == "talks_direct" and belligerents(r) and r["mediator"] in ("", "belarus"))
    direct["note"] = ("Russia and Ukraine face to face, hosted by Belarus or by no one; none after March 2022 "
                      "(Istanbul, 29 March, was hosted by Turkey and is a mediated round here)")
    summits = count(lambda r: r["kind"] == "summit")
    for e in summits["events"]:
        e["with_deal"] = SUMMIT_DEAL[e["date"]]
    summits["with_deal"] = sum(SUMMIT_DEAL[e["date"]] for e in summits["events"])
    recent = [e for e in summits["events"] if int(e["date"][:4]) in RATE_YEARS]
    summits["with_deal_share_2023_2024"] = {
        "value": round(sum(e["with_deal"] for e in recent) / len(recent), 2), "of": len(recent),
        "method": "summits of 2023–2024 that ended in a text the participants accepted (Bürgenstock), of all"}
    principle["never_implemented_share"] = {
        "value": round(sum(not v for v in principle["implemented"].values()) / len(principle["implemented"]), 2),
        "method": "agreements in principle never implemented, of all to the cut-off (the 2024 Black Sea text, "
                  "not Azovstal's evacuation)"}
    summits["note"] = "Russia attended none; a deal = a text the participants signed or accepted (see SUMMIT_DEAL)"
    truces = count(lambda r: r["kind"] == "unilateral_truce")
    truces["duration_days"] = 1.5
    truces["note"] = "the Orthodox Christmas truce: 36 hours from noon on 6 January 2023, rejected, violated"
    return {"span_years": round(span_years, 2), "agreements_in_principle": principle,
            "talks_direct_without_mediator": direct,
            "talks_mediated": count(lambda r: r["kind"] == "talks_mediated"),
            "summits": summits, "unilateral_truces": truces}


def derive(path: Path = RECORD) -> dict:
    """Every prior, with its method and source rows."""
    rows = load(path)
    later = [r for r in rows if _day(r["date"]) > CUTOFF]
    return {
        "record": str(path.relative_to(ROOT)), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "cutoff": CUTOFF.isoformat(), "written_by": "tools/partial_deals.py",
        "rule": "only rows dated on or before the cut-off enter a figure; the record's 2025 rows (to 18 March "
                "2025) set the baseline's starting context only",
        "prisoner_exchanges": exchanges(rows),
        "black_sea_grain_initiative": grain(rows),
        "partial_arrangements": arrangements(rows),
        "talks": talks(rows),
        "after_cutoff_rows": len(later),
        "used_by": {
            "table.agreements.black_sea.duration_days": "black_sea_grain_initiative.term_days",
            "table.agreements.black_sea.renewal": "black_sea_grain_initiative.renewal_share.prior",
            "table.agreements.energy_strikes.renewal": "black_sea_grain_initiative.renewal_share.prior",
            "table.exchanges.rate_per_year": "prisoner_exchanges.rate_per_year",
            "table.exchanges.persons_per_event": "prisoner_exchanges.persons_per_exchange",
            "table.exchanges.persons_spread": "prisoner_exchanges.persons_per_exchange.spread",
            "table.one_offs.summit.rate_per_year": "talks.summits.per_year_2023_2024",
            "table.one_offs.summit.with_deal": "talks.summits.with_deal_share_2023_2024",
            "table.one_offs.agreement_in_principle.rate_per_year": "talks.agreements_in_principle.per_year_2023_2024",
            "table.one_offs.talks_direct.rate_per_year": "talks.talks_direct_without_mediator.per_year_2023_2024",
        },
    }


def main() -> None:
    result = derive()
    OUT.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    ex, gr = result["prisoner_exchanges"], result["black_sea_grain_initiative"]
    pa, tk = result["partial_arrangements"], result["talks"]
    print(f"wrote {OUT.relative_to(ROOT)}")
    print(f"exchanges: {ex['rate_per_year']['value']}/year ({RATE_YEARS[0]}–{RATE_YEARS[-1]}), "
          f"{ex['persons_per_exchange']['value']} persons each (median {ex['persons_per_exchange']['median']}, "
          f"n={ex['persons_per_exchange']['n']}); by year {ex['rate_per_year']['by_year']}")
    print(f"grain deal: term {gr['term_days']['value']} d (range {gr['term_days']['between']}), renewed "
          f"{gr['renewal_share']['renewed']}/{gr['renewal_share']['expiries']}, life {gr['life_days']['value']} d, "
          f"in force {gr['days_suspended']['in_force_share']}")
    print(f"agreed arrangements kept: {pa['agreed_kept_share']['kept']}/{pa['agreed_kept_share']['agreed']}; never "
          f"implemented {pa['never_implemented']['value']}/{pa['never_implemented']['of']}")
    print(f"in principle {tk['agreements_in_principle']['count']} ({tk['agreements_in_principle']['per_year']}/y), "
          f"direct talks {tk['talks_direct_without_mediator']['count']}, mediated {tk['talks_mediated']['count']}, "
          f"summits {tk['summits']['count']} ({tk['summits']['with_deal']} with a deal), unilateral truces "
          f"{tk['unilateral_truces']['count']}")


if __name__ == "__main__":
    main()
