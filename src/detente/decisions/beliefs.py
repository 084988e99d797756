"""Beliefs about other actors' types, updated by Bayes' rule from what they are seen to do.

A belief b = P(actor j is of type T) held by actor i. Each time j reconsiders, i perceives j's option
with noise: with probability q (`accuracy`) i reads it right, otherwise i perceives one of j's other
options that were not announced, uniformly. Announced options (signals communicated in advance, seed
002's "intentions communicated to the US in advance") are never misread nor confused with anything.
The likelihood of perceiving ô under a type is then, with L_T(o) = P(j picks o | T), K' the number of
j's unannounced options and M_T = Σ_{o unannounced} L_T(o):

    P(ô | T) = L_T(ô)                                             (ô announced, or K' = 1)
    P(ô | T) = q · L_T(ô) + (1 − q) · (M_T − L_T(ô)) / (K' − 1)   (ô unannounced)

and Bayes' rule gives   b' = b · P(ô | T) / (b · P(ô | T) + (1 − b) · P(ô | ¬T)).

L_T and L_¬T are declared in the scenario for some options; the rest of each column's probability is
spread evenly over the options not listed (if every option is listed, the column is normalised).
"""

from __future__ import annotations

import numpy as np

FLOOR = 1e-9


def likelihood_table(listed: dict[str, tuple[float, float]], options: list[str]) -> np.ndarray:
    """(2, K): P(option | type) and P(option | not type) for each of the actor's options, in option order."""
    table = np.zeros((2, len(options)))
    unlisted = [k for k, o in enumerate(options) if o not in listed]
    for k, option in enumerate(options):
        if option in listed:
            table[:, k] = listed[option]
    for row in range(2):
        rest = 1.0 - table[row].sum()
        if unlisted:
            table[row, unlisted] = max(rest, 0.0) / len(unlisted)
        elif table[row].sum() > 0:
            table[row] /= table[row].sum()
    return table


def perception_likelihood(table: np.ndarray, announced: np.ndarray, accuracy: np.ndarray | float) -> np.ndarray:
    """(2, K) P(perceived option | type) and (| not type) under the noise model above, for accuracy q.

    `accuracy` may be per run: then the result is (N, 2, K).
    """
    q = np.asarray(accuracy, dtype=float)[..., None, None]
    quiet = ~announced
    k_quiet = int(quiet.sum())
    if k_quiet <= 1:
        return np.broadcast_to(table, q.shape[:-2] + table.shape).copy()
    mass = (table * quiet).sum(axis=1, keepdims=True)
    noisy = q * table + (1.0 - q) * (mass - table) / (k_quiet - 1)
    return np.where(quiet, noisy, table)


def bayes_update(prior: np.ndarray, like_type: np.ndarray, like_other: np.ndarray) -> np.ndarray:
    """Posterior P(T | observation) per run from the prior and the two likelihoods of what was seen."""
    joint = prior * like_type
    evidence = joint + (1.0 - prior) * like_other
    return np.where(evidence > FLOOR, joint / np.maximum(evidence, FLOOR), prior)


def perceive(true_option: np.ndarray, announced: np.ndarray, accuracy: np.ndarray | float,
             rng: np.random.Generator) -> np.ndarray:
    """The option each run's observer perceives (N,): right with probability q, else another unannounced one."""
    n = true_option.shape[0]
    quiet = np.flatnonzero(~announced)
    right = rng.random(n) < np.asarray(accuracy, dtype=float)
    pick = rng.integers(0, max(len(quiet) - 1, 1), size=n)
    if len(quiet) <= 1:
        return true_option.copy()
    # another unannounced option, uniformly: skip the true one's slot among the unannounced
    position = np.searchsorted(quiet, true_option)
    pick = np.where(pick >= position, pick + 1, pick)
    other = quiet[np.minimum(pick, len(quiet) - 1)]
    misread = ~right & ~announced[true_option]
    return np.where(misread, other, true_option)


def update_from_action(prior: np.ndarray, perceived: np.ndarray, table: np.ndarray, announced: np.ndarray,
                       accuracy: np.ndarray | float) -> np.ndarray:
    """One Bayes step for every run from the option each run's holder perceived."""
    likelihood = perception_likelihood(table, announced, accuracy)
    if likelihood.ndim == 2:
        return bayes_update(prior, likelihood[0, perceived], likelihood[1, perceived])
    rows = np.arange(prior.shape[0])
    return bayes_update(prior, likelihood[rows, 0, perceived], likelihood[rows, 1, perceived])
