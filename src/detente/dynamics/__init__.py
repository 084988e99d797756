"""Mechanisms of the war, one module each: the per-run equations, written once as compiled functions.

Each module holds its equations as `numba.njit(cache=True)` functions over one run's scalars, parameter
records (`mechanism.record_dtype`) and region buffers, with the equations and their sources in its docstring,
and declares what it reads and writes in the state, its scenario parameters and its metrics (`MECHANISM`, a
`mechanism.Mechanism`). `detente.kernel.advance` composes them into the week; none draws random numbers or
keeps state itself (the kernel draws the normals in a fixed order), which is what makes a run reproducible
from its seed and identical however runs are batched. The readable reference is the same code run
uncompiled (`mechanism.uncompiled`, `engine.reference_step`).
"""
