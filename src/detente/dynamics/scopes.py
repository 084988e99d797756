"""What an agreement can cover, as columns of `WarState.truce` (the war engine stops what it covers)."""

SCOPES = ("energy_strikes", "black_sea", "whole_front", "prisoner_exchange")
ENERGY, BLACK_SEA, FRONT, PRISONERS = range(len(SCOPES))
