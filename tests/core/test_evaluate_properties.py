"""Properties: a better figure never gets a worse verdict; a tree rolls up like its flat leaves."""

from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from chitieu.evaluate import Status, evaluate_indicator, status_for
from chitieu.observations import Observation
from chitieu.plan import Comparator, Direction, Indicator, Measure, Target
from chitieu.rollup import OrgTree, OrgUnitNode, aggregate, flat_tree, rollup

RANK = {Status.NOT_ACHIEVED: 0, Status.ACHIEVED: 1, Status.EXCEEDED: 2}
END = date(2024, 12, 31)
amounts = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)

# (comparator, direction, sign of "better")
BETTER_SIDE = [
    (Comparator.GE, Direction.INCREASE, 1),
    (Comparator.GE, Direction.MAINTAIN, 1),
    (Comparator.LE, Direction.DECREASE, -1),
    (Comparator.LE, Direction.MAINTAIN, -1),
    (Comparator.EQ, Direction.INCREASE, 1),
    (Comparator.EQ, Direction.DECREASE, -1),
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(BETTER_SIDE), amounts, amounts, amounts)
def test_improving_an_actual_never_worsens_its_status(rule, target, actual, step):
    comparator, direction, sign = rule
    t = Target("2024", comparator, target, "")
    before = status_for(actual, t, direction)
    after = status_for(actual + sign * step, t, direction)
    assert RANK[after] >= RANK[before]


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from([(Comparator.GE, Direction.INCREASE), (Comparator.LE, Direction.DECREASE)]),
    st.integers(0, 100),
    st.integers(1, 500),
    st.integers(0, 500),
    st.integers(0, 100),
)
def test_more_of_a_good_thing_in_the_counts_never_worsens_the_verdict(rule, target, den, num, extra):
    comparator, direction = rule
    num = min(num, den)
    ind = Indicator(
        "x", "t", Measure.PERCENT, direction, (Target("2024", comparator, D(target), ""),), ("u",)
    )
    better_num = min(den, num + extra) if direction is Direction.INCREASE else max(0, num - extra)

    def status(n):
        obs = Observation("x", "2024", "", None, D(n), D(den), None, source="t")
        return evaluate_indicator(ind, [obs], "2024", as_of=END).status

    assert RANK[status(better_num)] >= RANK[status(num)]


counts = st.integers(min_value=0, max_value=1000)


@st.composite
def tree_and_leaf_rows(draw):
    """A province → districts → communes tree with a figure for some of the communes."""
    districts = draw(st.integers(1, 4))
    nodes = [OrgUnitNode("P", "Tỉnh", None, "province")]
    leaves = []
    for d in range(districts):
        nodes.append(OrgUnitNode(f"D{d}", f"Huyện {d}", "P", "district"))
        for c in range(draw(st.integers(1, 5))):
            nodes.append(OrgUnitNode(f"D{d}C{c}", f"Xã {d}-{c}", f"D{d}", "commune"))
            leaves.append(f"D{d}C{c}")
    rows = []
    for leaf in leaves:
        if draw(st.booleans()):
            den = draw(st.integers(1, 1000))
            num = draw(st.integers(0, den))
            rows.append(Observation("2.1", "2024", leaf, None, D(num), D(den), None, source=leaf))
    return OrgTree(tuple(nodes)), rows


IND = Indicator(
    "2.1", "t", Measure.PERCENT, Direction.INCREASE, (Target("2024", Comparator.GE, D(50), ""),), ("u",)
)


@settings(max_examples=150, deadline=None)
@given(tree_and_leaf_rows())
def test_rollup_of_a_tree_equals_evaluation_of_the_flattened_observations(data):
    tree, rows = data
    top = rollup(IND, rows, tree)["P"].figure
    flat = aggregate(IND, rows)
    assert (top.state, top.value, top.numerator, top.denominator) == (
        flat.state,
        flat.value,
        flat.numerator,
        flat.denominator,
    )
    with_tree = evaluate_indicator(IND, rows, "2024", as_of=END, tree=tree)
    flattened = evaluate_indicator(IND, rows, "2024", as_of=END, tree=flat_tree(r.org_unit for r in rows))
    without = evaluate_indicator(IND, rows, "2024", as_of=END)
    assert with_tree.status == flattened.status == without.status
    assert with_tree.actual == flattened.actual == without.actual
