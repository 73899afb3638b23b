"""Pure arithmetic of the gapped numbering: no database here.

A tree's ``lft``/``rght`` values, read in increasing order, are its Euler tour: a node's
``lft`` when the walk enters it, its ``rght`` when the walk leaves it, children visited in
id order. Between two consecutive values there is a *gap*. New nodes are given values inside
one gap; when a gap is too small the numbers of a whole subtree are spread again
(a *respace*). Every function here keeps the tour's order exactly what a rebuild gives.

Gap weights decide how the room of a span is shared when numbers are spread: every gap
weighs 1, except the gap just before a node's ``rght`` (its *tail*: where its next child
will be appended) which weighs ``1 + number of children``. Referral trees grow by
preferential attachment (a member with many invitees gets more), so busy tails get
proportionally more room. For a subtree of N descendants the weights add up to exactly
``3N + 1`` (2N + 1 gaps, plus one per child).
"""

from collections.abc import Iterable, Mapping, Sequence

# The root of every tree spans [ROOT_LFT, ROOT_RGHT]: 2**62 values for its whole tree.
ROOT_LFT = 1
ROOT_RGHT = 2**62
# Room per unit of gap weight given to a new block appended in a wide tail gap: a new leaf
# gets about 2**28 values of its own, enough for ~25 halvings before its subtree respaces.
NEW_STEP = 2**28
# A block squeezed to less than this per unit of weight is not placed: its region is
# respaced instead, so gaps never shrink to where every next sign-up needs a respace.
MIN_BLOCK_STEP = 2**4
# A subtree is respaced only where its span gives at least this per unit of weight.
RESPACE_MIN_STEP = 2**12

Token = tuple[int, bool]  # (member id, is the closing endpoint)
Children = Mapping[int, Sequence[int]]


def euler_tokens(root_ids: Iterable[int], children: Children) -> list[Token]:
    """The Euler tour of the subtrees of ``root_ids`` (in the given order), children in the
    order of ``children`` (callers sort them by id). Iterative: trees can be deep."""
    tokens: list[Token] = []
    for root in root_ids:
        tokens.append((root, False))
        stack = [(root, iter(children.get(root, ())))]
        while stack:
            node, it = stack[-1]
            child = next(it, None)
            if child is None:
                stack.pop()
                tokens.append((node, True))
            else:
                tokens.append((child, False))
                stack.append((child, iter(children.get(child, ()))))
    return tokens


def gap_weights(tokens: Sequence[Token], children: Children, last_weight: int) -> list[int]:
    """Weight of the gap before each token, then of the gap after the last one."""
    weights = [1 + len(children.get(node, ())) if closing else 1 for node, closing in tokens]
    weights.append(last_weight)
    return weights


def spread(tokens: Sequence[Token], lo: int, hi: int, weights: Sequence[int]) -> list[int] | None:
    """Values strictly between ``lo`` and ``hi``, one per token, gaps proportional to
    ``weights``; ``None`` if the span cannot give every gap at least 1.

    With span >= total weight, each difference of floors is >= floor(span * w / total) >= 1,
    so the values are strictly increasing and stay inside (lo, hi).
    """
    total = sum(weights)
    span = hi - lo
    if span < total:
        return None
    labels = []
    cum = 0
    for weight in weights[:-1]:
        cum += weight
        labels.append(lo + span * cum // total)
    return labels


def place_block(tokens: Sequence[Token], children: Children, lo: int, hi: int,
                *, is_tail: bool) -> list[int] | None:
    """Numbers for a block of new subtrees inserted in the gap (lo, hi), or ``None`` when
    the gap is too tight and a respace is needed.

    In a tail gap (appending after the last child, the common case) the block takes only
    what it needs, at most half the gap, so the tail keeps room for the next appends.
    Between two siblings (a late commit, or a move) it is centred with room on both sides.
    """
    weights = gap_weights(tokens, children, last_weight=1)
    if is_tail:
        region_hi = lo + min((hi - lo) // 2, sum(weights) * NEW_STEP)
    else:
        weights[0] += len(tokens)
        weights[-1] += len(tokens)
        region_hi = hi
    if (region_hi - lo) // sum(weights) < MIN_BLOCK_STEP:
        return None
    return spread(tokens, lo, region_hi, weights)


def respace_weight(descendants: int) -> int:
    return 3 * descendants + 1


def depths(tokens: Sequence[Token], top_depth: int) -> dict[int, int]:
    """Depth of every node of a tour whose top-level nodes sit at ``top_depth``."""
    result: dict[int, int] = {}
    level = top_depth
    for node, closing in tokens:
        if closing:
            level -= 1
        else:
            result[node] = level
            level += 1
    return result


def assignments(tokens: Sequence[Token], labels: Sequence[int],
                top_depth: int) -> list[tuple[int, int, int, int]]:
    """``(id, lft, rght, depth)`` rows for the nodes of a tour, given its labels."""
    lft: dict[int, int] = {}
    rows = []
    node_depth = depths(tokens, top_depth)
    for (node, closing), label in zip(tokens, labels, strict=True):
        if closing:
            rows.append((node, lft[node], label, node_depth[node]))
        else:
            lft[node] = label
    return rows


def rebuild_numbers(root_id: int, children: Children) -> dict[int, tuple[int, int, int]]:
    """What django-mptt's rebuild gives for one tree: ``{id: (lft, rght, depth)}``, dense."""
    tokens = euler_tokens([root_id], children)
    return {node: (lft, rght, depth) for node, lft, rght, depth
            in assignments(tokens, range(1, len(tokens) + 1), 0)}
