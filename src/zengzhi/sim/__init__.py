"""The simulator: scenarios, seeded population draws, the exact runner over the domain
engine, a fast kernel proven equal to it, Monte Carlo, sweeps, metrics, reports and
compliance checks. `sim` sits outside the domain: it imports it, never the reverse.
"""
