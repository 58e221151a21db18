"""Evaluation: verdicts against targets (verdict), trajectories towards the phase target (trajectory),
result types and their JSON (results), and the engine that chooses the figures (engine).

Import from the modules (``chitieu.evaluation.engine`` …) or from ``chitieu.evaluate``, which
re-exports them; this package imports nothing, so ``chitieu.explain`` can read the results
while the engine imports it."""
