"""Simulated days of link posts and social-referral sessions (planted effect or none).

Used by the tests and ``benchmarks/website_association.py`` to validate
:func:`workbench.website.visits.link_association`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEKDAY = np.array([0.1, 0.05, 0.0, 0.0, -0.05, -0.2, -0.25])


def simulate_days(rng: np.random.Generator, days: int = 150,
                  betas: tuple[float, ...] = (0.0, 0.0, 0.0), nb_alpha: float = 0.3,
                  rho: float = 0.0, base: float = 20.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw days of link posts and the social-referral sessions that follow them.

    Link posts ~ Poisson(0.6) a day; sessions ~ NB2 (``nb_alpha``) with log-mean
    ``log(base)`` + weekday + AR(1) noise (``rho``) + Σ ``betas[l]`` · posts[t-l].

    Returns:
        (activity, sessions) frames shaped like ``daily_link_activity`` and
        ``daily_social_sessions``.
    """
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    posts = rng.poisson(0.6, days).astype(float)
    noise = rng.normal(0, 0.15, days)
    latent = np.zeros(days)
    for t in range(days):
        latent[t] = (rho * latent[t - 1] if t else 0.0) + noise[t]
    eta = np.log(base) + WEEKDAY[dates.day_of_week] + latent
    for lag, beta in enumerate(betas):
        eta = eta + beta * np.concatenate([np.zeros(lag), posts[:days - lag]])
    mu = np.exp(eta)
    sessions = rng.poisson(rng.gamma(1 / nb_alpha, mu * nb_alpha))
    activity = pd.DataFrame({"date": dates, "posts": posts.astype(int),
                             "link_posts": posts.astype(int),
                             "link_clicks": posts * rng.poisson(12, days)})
    return activity, pd.DataFrame({"date": dates, "sessions": sessions.astype(float)})
