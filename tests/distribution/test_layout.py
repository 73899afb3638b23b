"""The pure arithmetic of the gapped numbering (no database)."""

from hypothesis import given
from hypothesis import strategies as st

from distribution.referral.tree import layout


@st.composite
def forests(draw, max_nodes=60):
    """``(roots, children)`` with ids 1..n, children lists in id order."""
    n = draw(st.integers(min_value=1, max_value=max_nodes))
    parents = {1: None}
    for node in range(2, n + 1):
        parents[node] = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=node - 1)))
    children: dict[int, list[int]] = {}
    for node, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(node)
    roots = [node for node, parent in parents.items() if parent is None]
    return roots, children


def test_euler_tokens_visit_children_in_the_given_order():
    children = {1: [2, 5], 2: [3, 4]}

    tokens = layout.euler_tokens([1], children)

    assert tokens == [(1, False), (2, False), (3, False), (3, True), (4, False), (4, True),
                      (2, True), (5, False), (5, True), (1, True)]


def test_rebuild_numbers_are_django_mptt_style_dense_numbers():
    assert layout.rebuild_numbers(1, {1: [2, 3], 2: [4]}) == {
        1: (1, 8, 0), 2: (2, 5, 1), 4: (3, 4, 2), 3: (6, 7, 1)}


@given(forests(), st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=2**40))
def test_spread_gives_strictly_increasing_values_inside_the_span(forest, lo, extra):
    roots, children = forest
    tokens = layout.euler_tokens(roots, children)
    weights = layout.gap_weights(tokens, children, last_weight=1)
    hi = lo + sum(weights) + extra

    labels = layout.spread(tokens, lo, hi, weights)

    assert labels is not None
    assert all(a < b for a, b in zip([lo, *labels], [*labels, hi], strict=True))


@given(forests())
def test_spread_refuses_a_span_smaller_than_the_weights(forest):
    roots, children = forest
    tokens = layout.euler_tokens(roots, children)
    weights = layout.gap_weights(tokens, children, last_weight=1)

    assert layout.spread(tokens, 0, sum(weights) - 1, weights) is None


@given(forests())
def test_weights_of_a_subtree_add_up_to_three_per_descendant_plus_one(forest):
    roots, children = forest
    top = {0: roots, **children}  # a virtual parent above the roots
    tokens = layout.euler_tokens(roots, top)
    weights = layout.gap_weights(tokens, top, last_weight=1 + len(roots))

    assert sum(weights) == layout.respace_weight(len(tokens) // 2)


@given(forests(), st.booleans())
def test_placed_block_values_rank_like_a_rebuild(forest, is_tail):
    roots, children = forest
    tokens = layout.euler_tokens(roots, children)

    labels = layout.place_block(tokens, children, 1000, 1000 + 2**50, is_tail=is_tail)

    assert labels == sorted(labels) and len(set(labels)) == len(labels)
    rows = layout.assignments(tokens, labels, top_depth=3)
    expected = {}
    for root in roots:
        expected.update(layout.rebuild_numbers(root, children))
    depth_of = {node: depth for node, _, _, depth in rows}
    assert depth_of == {node: d + 3 for node, (_, _, d) in expected.items()}


def test_place_block_in_a_tail_keeps_at_least_half_of_the_gap():
    tokens = [(7, False), (7, True)]

    labels = layout.place_block(tokens, {}, 100, 100 + 2**40, is_tail=True)

    assert labels[-1] < 100 + 2**39


def test_place_block_refuses_a_tight_gap():
    tokens = [(7, False), (7, True)]

    assert layout.place_block(tokens, {}, 100, 110, is_tail=False) is None
