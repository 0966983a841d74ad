"""RFC 9162 hashing and proofs of the witness program: known values, and every happy path paired
with bit flips, wrong index, wrong size and truncated proofs."""
from __future__ import annotations

import hashlib

import pytest

from tracker.witness_program import merkle

LEAVES = [merkle.leaf_hash(bytes([i])) for i in range(40)]


def _reference_root(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


def _flip(value: bytes, bit: int = 0) -> bytes:
    return bytes([value[0] ^ (1 << bit)]) + value[1:]


def test_hashing_is_rfc9162():
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    # RFC 6962 / transparency-dev: the leaf hash of the empty entry.
    assert merkle.leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert merkle.node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()


@pytest.mark.parametrize("size", range(0, 41))
def test_root_matches_the_recursive_definition(size):
    assert merkle.root_of(LEAVES[:size]) == _reference_root(LEAVES[:size])


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 13, 16, 31, 40])
def test_inclusion_proofs_verify_and_mutations_fail(size):
    root = merkle.root_of(LEAVES[:size])
    for index in range(size):
        proof = merkle.inclusion_proof(LEAVES, index, size)
        assert merkle.verify_inclusion(LEAVES[index], index, size, proof, root)
        assert not merkle.verify_inclusion(_flip(LEAVES[index]), index, size, proof, root)
        assert not merkle.verify_inclusion(LEAVES[index], index, size, proof, _flip(root, 7))
        if size > 1:
            assert not merkle.verify_inclusion(LEAVES[index], (index + 1) % size, size, proof, root)
            assert not merkle.verify_inclusion(LEAVES[index], size, size, proof, root)  # index beyond the tree
        for position in range(len(proof)):
            bad = list(proof)
            bad[position] = _flip(bad[position], 3)
            assert not merkle.verify_inclusion(LEAVES[index], index, size, bad, root)
        if proof:
            assert not merkle.verify_inclusion(LEAVES[index], index, size, proof[:-1], root)
            assert not merkle.verify_inclusion(LEAVES[index], index, size, proof + [root], root)


@pytest.mark.parametrize("new", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 40])
def test_consistency_proofs_verify_and_mutations_fail(new):
    new_root = merkle.root_of(LEAVES[:new])
    for old in range(1, new + 1):
        old_root = merkle.root_of(LEAVES[:old])
        proof = merkle.consistency_proof(LEAVES, old, new)
        assert merkle.verify_consistency(old, new, old_root, new_root, proof)
        assert not merkle.verify_consistency(old, new, _flip(old_root), new_root, proof)
        assert not merkle.verify_consistency(old, new, old_root, _flip(new_root), proof)
        if old < new:
            assert not merkle.verify_consistency(new, old, new_root, old_root, proof)  # sizes swapped
            assert not merkle.verify_consistency(old, new, old_root, new_root, proof[:-1])
            for position in range(len(proof)):
                bad = list(proof)
                bad[position] = _flip(bad[position], 5)
                assert not merkle.verify_consistency(old, new, old_root, new_root, bad)
    assert merkle.verify_consistency(0, new, merkle.EMPTY_ROOT, new_root, [])
    assert not merkle.verify_consistency(0, new, merkle.EMPTY_ROOT, new_root, [new_root])


def test_a_fork_has_no_consistency_proof():
    forked = list(LEAVES[:20])
    forked[3] = merkle.leaf_hash(b"forged")
    proof = merkle.consistency_proof(forked, 10, 20)
    assert not merkle.verify_consistency(10, 20, merkle.root_of(LEAVES[:10]), merkle.root_of(forked), proof)
