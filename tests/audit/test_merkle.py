"""RFC 9162 hashing and proofs against the transparency-dev/merkle test vectors (Apache-2.0,
github.com/transparency-dev/merkle: testonly/constants.go, proof/verify_test.go), each happy path
paired with mutations in the same style: bit flips, wrong index, wrong size, truncated proof."""
from __future__ import annotations

import random

import pytest

from tracker.audit import merkle as m

LEAF_INPUTS = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
LEAVES = [m.leaf_hash(x) for x in LEAF_INPUTS]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def _h(*hexes: str) -> list[bytes]:
    return [bytes.fromhex(x) for x in hexes]


# (0-based leaf index, tree size, proof)
INCLUSION = [
    (0, 8, _h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
    (5, 8, _h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
    (2, 3, _h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (1, 5, _h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
    (0, 1, []),
]
CONSISTENCY = [
    (1, 1, []),
    (1, 8, _h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
    (6, 8, _h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
    (2, 5, _h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
    (6, 7, _h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
              "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
]


def test_roots_of_every_prefix():
    for size, root in enumerate(ROOTS):
        assert m.root_of(LEAVES[:size]) == root
    assert m.EMPTY_ROOT == ROOTS[0]


def test_leaf_and_node_hash_domain_separation():
    assert m.leaf_hash(b"") == ROOTS[1]
    assert m.node_hash(LEAVES[0], LEAVES[1]) == ROOTS[2]
    assert m.leaf_hash(LEAVES[0] + LEAVES[1]) != m.node_hash(LEAVES[0], LEAVES[1])


def _flip(proof: list[bytes], i: int, bit: int) -> list[bytes]:
    out = list(proof)
    out[i] = bytes([out[i][0] ^ bit]) + out[i][1:]
    return out


def inclusion_mutations(index, size, proof, root, leaf):
    yield "index - 1", (index - 1, size, proof, root, leaf)
    yield "index + 1", (index + 1, size, proof, root, leaf)
    yield "index ^ 2", (index ^ 2, size, proof, root, leaf)
    yield "size * 2", (index, size * 2, proof, root, leaf)
    yield "size // 2", (index, size // 2, proof, root, leaf)
    yield "wrong leaf", (index, size, proof, root, b"WrongLeaf")
    yield "empty root", (index, size, proof, ROOTS[0], leaf)
    yield "random root", (index, size, proof, SOME_HASH, leaf)
    yield "trailing garbage", (index, size, [*proof, b""], root, leaf)
    yield "trailing root", (index, size, [*proof, root], root, leaf)
    yield "preceding garbage", (index, size, [b"", *proof], root, leaf)
    yield "preceding root", (index, size, [root, *proof], root, leaf)
    for i in range(len(proof)):
        yield f"bit flip in proof[{i}]", (index, size, _flip(proof, i, 8), root, leaf)
    if proof:
        yield "truncated proof", (index, size, proof[:-1], root, leaf)
    if len(proof) > 1:
        yield "inserted component", (index, size, [proof[0], SOME_HASH, *proof[1:]], root, leaf)


@pytest.mark.parametrize("index,size,proof", INCLUSION)
def test_inclusion_vectors_and_their_mutations(index, size, proof):
    root, leaf = ROOTS[size], LEAVES[index]
    assert m.inclusion_proof_of(LEAVES, index, size) == proof
    assert m.verify_inclusion(leaf, index, size, proof, root)
    accepted = [name for name, (i, s, p, r, lf) in inclusion_mutations(index, size, proof, root, leaf)
                if i >= 0 and m.verify_inclusion(lf, i, s, p, r)]
    assert accepted == []


def test_inclusion_rejects_out_of_range():
    for index, size in ((0, 0), (1, 0), (2, 1), (8, 8)):
        assert not m.verify_inclusion(SOME_HASH, index, size, [], ROOTS[0])
    with pytest.raises(ValueError):
        m.inclusion_spans(8, 8)


def consistency_mutations(old, new, root1, root2, proof):
    yield "old - 1", (old - 1, new, root1, root2, proof)
    yield "old + 1", (old + 1, new, root1, root2, proof)
    yield "old ^ 2", (old ^ 2, new, root1, root2, proof)
    yield "new * 2", (old, new * 2, root1, root2, proof)
    yield "new // 2", (old, new // 2, root1, root2, proof)
    yield "wrong root1", (old, new, b"WrongRoot", root2, proof)
    yield "wrong root2", (old, new, root1, b"WrongRoot", proof)
    yield "swapped roots", (old, new, root2, root1, proof)
    yield "empty proof", (old, new, root1, root2, [])
    yield "trailing garbage", (old, new, root1, root2, [*proof, b""])
    yield "trailing root1", (old, new, root1, root2, [*proof, root1])
    yield "trailing root2", (old, new, root1, root2, [*proof, root2])
    yield "preceding garbage", (old, new, root1, root2, [b"", *proof])
    yield "preceding root1", (old, new, root1, root2, [root1, *proof])
    yield "preceding root2", (old, new, root1, root2, [root2, *proof])
    yield "preceding proof[0]", (old, new, root1, root2, [proof[0], *proof])
    yield "truncated proof", (old, new, root1, root2, proof[:-1])
    for i in range(len(proof)):
        yield f"bit flip in proof[{i}]", (old, new, root1, root2, _flip(proof, i, 16))


@pytest.mark.parametrize("old,new,proof", CONSISTENCY)
def test_consistency_vectors_and_their_mutations(old, new, proof):
    root1, root2 = ROOTS[old], ROOTS[new]
    assert m.consistency_proof_of(LEAVES, old, new) == proof
    assert m.verify_consistency(old, new, root1, root2, proof)
    if not proof:
        return
    accepted = [name for name, (o, n, r1, r2, p) in consistency_mutations(old, new, root1, root2, proof)
                if o >= 0 and m.verify_consistency(o, n, r1, r2, p)]
    assert accepted == []


def test_consistency_edge_cases():
    r1, r2 = b"don't care 1", b"don't care 2"
    assert m.verify_consistency(0, 0, r1, r1, [])
    assert m.verify_consistency(0, 1, r1, r2, [])
    assert m.verify_consistency(1, 1, r2, r2, [])
    assert not m.verify_consistency(0, 0, r1, r2, [])
    assert not m.verify_consistency(1, 0, r1, r2, [])
    assert not m.verify_consistency(2, 1, r1, r2, [])
    assert not m.verify_consistency(1, 2, r1, r2, [])
    assert not m.verify_consistency(0, 1, ROOTS[0], ROOTS[0], [ROOTS[0]])
    assert not m.verify_consistency(1, 1, ROOTS[0], ROOTS[0], [ROOTS[0]])


def test_every_proof_of_a_random_tree_verifies_and_a_flip_breaks_it():
    rng = random.Random(16)
    leaves = [m.leaf_hash(rng.randbytes(32)) for _ in range(70)]
    roots = [m.root_of(leaves[:n]) for n in range(len(leaves) + 1)]
    for size in range(1, len(leaves) + 1):
        for index in range(size):
            proof = m.inclusion_proof_of(leaves, index, size)
            assert m.verify_inclusion(leaves[index], index, size, proof, roots[size])
            if proof:
                assert not m.verify_inclusion(leaves[index], index, size, _flip(proof, -1, 1), roots[size])
        for old in range(0, size + 1):
            proof = m.consistency_proof_of(leaves, old, size)
            assert m.verify_consistency(old, size, roots[old], roots[size], proof), (old, size)
            if proof:
                assert not m.verify_consistency(old, size, roots[old], roots[size], proof[:-1])


def test_compact_range_reports_completed_subtrees():
    compact = m.CompactRange()
    stored = {}
    for leaf in LEAVES:
        for level, index, value in compact.append(leaf):
            stored[(level, index)] = value
    assert compact.root() == ROOTS[8]
    assert stored[(3, 0)] == ROOTS[8] and stored[(2, 1)] == bytes.fromhex(
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")
    assert len(stored) == 15
