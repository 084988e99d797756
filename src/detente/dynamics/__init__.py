"""Mechanisms of the war, one module each: pure functions from state arrays to new arrays.

Each takes arrays with a leading run axis, the compiled model (`detente.world.model.WarModel`) and
pre-drawn standard normal noise, and returns new arrays; none draws random numbers or keeps state itself,
which is what makes a run reproducible from its seed and identical however runs are batched.
"""
