"""``read_observation`` (an observation built slot by slot, for rows read in bulk) is the very
observation the dataclass's own constructor makes."""

from __future__ import annotations

import pickle
from dataclasses import fields
from decimal import Decimal

from chitieu.observations import Observation, read_observation
from chitieu.plan import Sex


def test_read_observation_is_the_constructed_observation():
    for sex, numerator, value, units in ((None, Decimal(3), None, 1), (Sex.FEMALE, None, Decimal("2.5"), 7)):
        args = ("6.3", "2024-Q1", "Xã A (101)", sex, numerator, Decimal(4), value, "Xã A, 2024-Q1", units)
        made = Observation(
            indicator=args[0],
            period=args[1],
            org_unit=args[2],
            sex=args[3],
            numerator=args[4],
            denominator=args[5],
            value=args[6],
            source=args[7],
            units=args[8],
        )
        read = read_observation(*args)
        assert read == made and hash(read) == hash(made)
        assert repr(read) == repr(made)
        assert pickle.dumps(read) == pickle.dumps(made)
        assert [getattr(read, f.name) for f in fields(Observation)] == [
            getattr(made, f.name) for f in fields(Observation)
        ]
