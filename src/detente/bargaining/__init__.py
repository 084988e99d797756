"""Peace talks as bargaining, offline (`detente bargain`): KTAB's spatial model of politics (SMP), Bueno de
Mesquita's model (BDM), the naive compromise, KTAB's input formats, and a scenario's table as their input."""
