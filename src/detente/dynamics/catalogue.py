"""The war's mechanisms, listed once, in the order a week runs them.

Everything that would otherwise keep a list of the mechanisms reads this one: the weekly kernel (its parameter
records, the state fields of its named tuples, the key of its disk cache), the week-0 state
(`world.model.initial_state`: the fields a mechanism owns), the scenario schema (the parameters a mechanism
defines), the metric registry and the horizon reporters (the metrics a mechanism reports) and the generated
docs pages. A new mechanism is added here by one line, and composed by its call in `kernel.advance`.

Only `detente.dynamics` is imported here (none of the mechanisms imports the world, the scenario or the
ensemble), so every layer above can read the list without an import cycle.
"""

from __future__ import annotations

from detente.dynamics import (allocation, attrition, backers, black_sea, forces, mobilisation, occupation, power,
                              strikes, tempo, territory)

# In the week's order (see detente.engine): aid, strikes and output, the power deficit, the Black Sea, garrisons
# and partisans, fronts and placement, battles, ground, recruits, pools, next week's offensive tempo.
MODULES = (backers, strikes, power, black_sea, occupation, allocation, attrition, territory, mobilisation, forces,
           tempo)
MECHANISMS = tuple(m.MECHANISM for m in MODULES)
