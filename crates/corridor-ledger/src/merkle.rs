//! RFC 6962 / RFC 9162 Merkle tree: tree hashes, inclusion and consistency
//! proofs (generation and verification), and verification of the subtree
//! proofs used by tiled logs (draft-ietf-plants-merkle-tree-certs).
//!
//! Hashing (RFC 9162 §2.1.1): `leaf = SHA-256(0x00 || data)`,
//! `node = SHA-256(0x01 || left || right)`, the empty tree's hash is
//! `SHA-256("")`. The tree over `n` leaves splits at the largest power of two
//! strictly below `n`.
//!
//! Proofs are lists of [`struct@Hash`]es ordered from the leaf (or old tree) upwards.
//! The free functions work over a list of leaf hashes and cost O(n) hashes per
//! call. [`MerkleTree`] keeps every perfect subtree's hash as it grows (about
//! 2n hashes), so its roots and proofs at any size cost O(log² n).
//! Verification follows the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2,
//! generalised here to an aligned subtree `[start, end)`.

use crate::hash::Hash;

/// Leaf hash: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    Hash::of_parts(&[&[0u8], data])
}

/// Interior node hash: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Hash::of_parts(&[&[1u8], &left.0, &right.0])
}

/// Hash of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Hash::of(b"")
}

/// Why a Merkle proof does not check, or cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// The proof has more hashes than the tree shape allows.
    #[error("proof has too many hashes")]
    ProofTooLong,
    /// The proof has fewer hashes than the tree shape needs.
    #[error("proof has too few hashes")]
    ProofTooShort,
    /// The proof must be empty here (equal sizes, or an empty subtree).
    #[error("proof must be empty for these sizes")]
    NonEmptyProof,
    /// The proof is empty where at least one hash is needed.
    #[error("proof is empty")]
    EmptyProof,
    /// The recomputed root differs from the claimed one.
    #[error("computed root {computed} does not match claimed root {claimed}")]
    RootMismatch { computed: Hash, claimed: Hash },
    /// The proof does not rebuild the older (sub)tree's root.
    #[error("proof does not rebuild the old root {claimed} (got {computed})")]
    OldRootMismatch { computed: Hash, claimed: Hash },
    /// A consistency proof from the empty tree proves nothing.
    #[error("consistency from an empty tree is meaningless")]
    EmptyOldTree,
    /// The old size is larger than the new size.
    #[error("old size {old} is larger than new size {new}")]
    OldLargerThanNew { old: u64, new: u64 },
    /// `[start, end)` is not an aligned subtree.
    #[error("[{start}, {end}) is not a valid subtree")]
    InvalidSubtree { start: u64, end: u64 },
    /// The subtree ends beyond the tree.
    #[error("subtree end {end} is beyond tree size {size}")]
    SubtreeBeyondTree { end: u64, size: u64 },
}

fn largest_pow2_below(n: usize) -> usize {
    // n >= 2
    let mut k = 1usize;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// Merkle tree hash (MTH) of a list of leaf hashes.
pub fn root_from_leaf_hashes(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = largest_pow2_below(n);
            node_hash(
                &root_from_leaf_hashes(&leaves[..k]),
                &root_from_leaf_hashes(&leaves[k..]),
            )
        }
    }
}

/// Inclusion proof (RFC 9162 §2.1.3.1) of leaf `index` in the tree made of
/// `leaves` (its size is `leaves.len()`).
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, MerkleError> {
    inclusion_proof_by(leaves.len() as u64, index, &|a, b| {
        root_from_leaf_hashes(&leaves[a..b])
    })
}

/// The hash of the leaves `[start, end)` of a tree (a range the RFC's
/// recursion reaches: a perfect aligned subtree, or one's prefix).
type RangeRoot<'a> = dyn Fn(usize, usize) -> Hash + 'a;

fn inclusion_proof_by(
    size: u64,
    index: u64,
    root: &RangeRoot<'_>,
) -> Result<Vec<Hash>, MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let mut out = Vec::new();
    path(index as usize, 0, size as usize, root, &mut out);
    Ok(out)
}

/// RFC 9162 `PATH(m, D[lo:hi])`.
fn path(m: usize, lo: usize, hi: usize, root: &RangeRoot<'_>, out: &mut Vec<Hash>) {
    if hi - lo <= 1 {
        return;
    }
    let k = largest_pow2_below(hi - lo);
    if m < k {
        path(m, lo, lo + k, root, out);
        out.push(root(lo + k, hi));
    } else {
        path(m - k, lo + k, hi, root, out);
        out.push(root(lo, lo + k));
    }
}

/// Consistency proof (RFC 9162 §2.1.4.1) between the tree of the first
/// `old_size` leaves and the tree of all `leaves`.
pub fn consistency_proof(leaves: &[Hash], old_size: u64) -> Result<Vec<Hash>, MerkleError> {
    consistency_proof_by(leaves.len() as u64, old_size, &|a, b| {
        root_from_leaf_hashes(&leaves[a..b])
    })
}

fn consistency_proof_by(
    new_size: u64,
    old_size: u64,
    root: &RangeRoot<'_>,
) -> Result<Vec<Hash>, MerkleError> {
    if old_size == 0 {
        return Err(MerkleError::EmptyOldTree);
    }
    if old_size > new_size {
        return Err(MerkleError::OldLargerThanNew {
            old: old_size,
            new: new_size,
        });
    }
    let mut out = Vec::new();
    subproof(
        old_size as usize,
        0,
        new_size as usize,
        true,
        root,
        &mut out,
    );
    Ok(out)
}

/// RFC 9162 `SUBPROOF(m, D[lo:hi], complete)`.
fn subproof(
    m: usize,
    lo: usize,
    hi: usize,
    complete: bool,
    root: &RangeRoot<'_>,
    out: &mut Vec<Hash>,
) {
    let n = hi - lo;
    if m == n {
        if !complete {
            out.push(root(lo, hi));
        }
        return;
    }
    let k = largest_pow2_below(n);
    if m <= k {
        subproof(m, lo, lo + k, complete, root, out);
        out.push(root(lo + k, hi));
    } else {
        subproof(m - k, lo + k, hi, false, root, out);
        out.push(root(lo, lo + k));
    }
}

/// Verifies that `leaf` is at `index` in the tree of `size` leaves with `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MerkleError> {
    let computed = root_from_inclusion(index, size, leaf, proof)?;
    if computed != *root {
        return Err(MerkleError::RootMismatch {
            computed,
            claimed: *root,
        });
    }
    Ok(())
}

/// Recomputes the root from an inclusion proof (RFC 9162 §2.1.3.2).
pub fn root_from_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<Hash, MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(MerkleError::ProofTooLong);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(MerkleError::ProofTooShort);
    }
    Ok(r)
}

/// Verifies that the tree of `old_size` leaves with `old_root` is a prefix of
/// the tree of `new_size` leaves with `new_root` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), MerkleError> {
    if new_size < old_size {
        return Err(MerkleError::OldLargerThanNew {
            old: old_size,
            new: new_size,
        });
    }
    if old_size == 0 {
        return Err(MerkleError::EmptyOldTree);
    }
    verify_subtree_consistency(0, old_size, new_size, proof, old_root, new_root)
}

/// Whether `[start, end)` is an aligned subtree: `start <= end` and `start` is
/// a multiple of the smallest power of two `>= end - start` (any range from 0
/// and any empty range qualify).
pub fn is_valid_subtree(start: u64, end: u64) -> bool {
    if start > end {
        return false;
    }
    if start == 0 || start == end {
        return true;
    }
    let len = end - start;
    if len > 1u64 << 63 {
        return false;
    }
    start % len.next_power_of_two() == 0
}

fn check_subtree(start: u64, end: u64) -> Result<(), MerkleError> {
    if is_valid_subtree(start, end) {
        Ok(())
    } else {
        Err(MerkleError::InvalidSubtree { start, end })
    }
}

/// Verifies a subtree inclusion proof: `leaf` is at `index` inside the aligned
/// subtree `[start, end)` whose root is `sub_root`.
pub fn verify_subtree_inclusion(
    index: u64,
    start: u64,
    end: u64,
    leaf: &Hash,
    proof: &[Hash],
    sub_root: &Hash,
) -> Result<(), MerkleError> {
    check_subtree(start, end)?;
    if index < start || index >= end {
        return Err(MerkleError::IndexOutOfRange { index, size: end });
    }
    verify_inclusion(index - start, end - start, leaf, proof, sub_root)
}

/// Verifies a subtree consistency proof: the aligned subtree `[start, end)`
/// with `sub_root` is part of the tree of `size` leaves with `root`. With
/// `start = 0` this is RFC 9162 consistency. An empty subtree (`start == end`)
/// is consistent with any tree at least `end` long if its root is the empty
/// hash and the proof is empty.
pub fn verify_subtree_consistency(
    start: u64,
    end: u64,
    size: u64,
    proof: &[Hash],
    sub_root: &Hash,
    root: &Hash,
) -> Result<(), MerkleError> {
    if start == end {
        if end > size {
            return Err(MerkleError::SubtreeBeyondTree { end, size });
        }
        if !proof.is_empty() {
            return Err(MerkleError::NonEmptyProof);
        }
        if *sub_root != empty_root() {
            return Err(MerkleError::OldRootMismatch {
                computed: empty_root(),
                claimed: *sub_root,
            });
        }
        return Ok(());
    }
    check_subtree(start, end)?;
    if size < end {
        return Err(MerkleError::SubtreeBeyondTree { end, size });
    }
    let computed = if start == 0 && end == size {
        if !proof.is_empty() {
            return Err(MerkleError::NonEmptyProof);
        }
        *sub_root
    } else {
        if proof.is_empty() {
            return Err(MerkleError::EmptyProof);
        }
        root_from_subtree_consistency(start, end, size, proof, sub_root)?
    };
    if computed != *root {
        return Err(MerkleError::RootMismatch {
            computed,
            claimed: *root,
        });
    }
    Ok(())
}

/// `x >> n`, 0 when `n >= 64`.
fn shr(x: u64, n: u32) -> u64 {
    x.checked_shr(n).unwrap_or(0)
}

/// Number of significant bits of `x` (0 for 0).
fn bit_len(x: u64) -> u32 {
    64 - x.leading_zeros()
}

// Preconditions: valid subtree, start < end <= size, not (start == 0 && end == size).
//
// Walks up from the rightmost node that the subtree and the new tree share
// (`f`, `s` are that node's indices on the current level in the subtree's
// last leaf path and the new tree's last leaf path). Left siblings below the
// subtree's height `h` also rebuild the subtree root; right siblings only
// belong to the new tree.
fn root_from_subtree_consistency(
    start: u64,
    end: u64,
    size: u64,
    proof: &[Hash],
    sub_root: &Hash,
) -> Result<Hash, MerkleError> {
    let h = bit_len((end - 1) ^ start);
    let len = end - start;
    // If the subtree is itself a node of the new tree (it is perfect, or it
    // ends where the tree ends) the walk starts from its root at its height;
    // otherwise from the rightmost perfect subtree inside it, given first.
    let is_node = len.is_power_of_two() || end == size;
    let (seed, rest, mut level) = if is_node {
        (*sub_root, proof, h)
    } else {
        let (first, rest) = proof.split_first().ok_or(MerkleError::EmptyProof)?;
        (*first, rest, len.trailing_zeros())
    };
    let (mut f, mut s) = (shr(end - 1, level), shr(size - 1, level));
    let (mut fr, mut sr) = (seed, seed);
    for c in rest {
        if s == 0 {
            return Err(MerkleError::ProofTooLong);
        }
        if f == s {
            // On the right border of both trees: levels without a sibling are skipped.
            while f & 1 == 0 {
                f >>= 1;
                s >>= 1;
                level += 1;
            }
        }
        if f & 1 == 1 {
            if level < h {
                fr = node_hash(c, &fr);
            }
            sr = node_hash(c, &sr);
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
        level += 1;
    }
    if s != 0 {
        return Err(MerkleError::ProofTooShort);
    }
    if !is_node && fr != *sub_root {
        return Err(MerkleError::OldRootMismatch {
            computed: fr,
            claimed: *sub_root,
        });
    }
    Ok(sr)
}

/// An append-only list of leaf hashes with tree heads and proofs at any size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleTree {
    /// `levels[h][i]` is the hash of the perfect subtree of leaves
    /// `[i·2^h, (i+1)·2^h)`; `levels[0]` are the leaves. Every range the
    /// RFC's recursion asks for is at most log n of them, so a root or a
    /// proof at any size is O(log² n) hashes, not O(n). (Proofs for an older
    /// size once hashed the whole prefix, under the service's lock.)
    levels: Vec<Vec<Hash>>,
}

impl Default for MerkleTree {
    fn default() -> Self {
        Self {
            levels: vec![Vec::new()],
        }
    }
}

impl MerkleTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree over existing leaf hashes.
    pub fn from_leaf_hashes(leaves: Vec<Hash>) -> Self {
        let mut t = MerkleTree::new();
        t.levels[0].reserve(leaves.len());
        for h in leaves {
            t.push_leaf_hash(h);
        }
        t
    }

    /// Appends the leaf hash of `data`; returns its index.
    pub fn push_data(&mut self, data: &[u8]) -> u64 {
        self.push_leaf_hash(leaf_hash(data))
    }

    /// Appends a leaf hash; returns its index.
    pub fn push_leaf_hash(&mut self, h: Hash) -> u64 {
        self.levels[0].push(h);
        // Two perfect subtrees of one size, side by side, make the next.
        let mut level = 0;
        while self.levels[level].len() % 2 == 0 {
            let row = &self.levels[level];
            let node = node_hash(&row[row.len() - 2], &row[row.len() - 1]);
            level += 1;
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(node);
        }
        self.size() - 1
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// The leaf hashes.
    pub fn leaf_hashes(&self) -> &[Hash] {
        &self.levels[0]
    }

    /// The hash of leaves `[lo, hi)`, where `lo` is a multiple of the largest
    /// power of two not above `hi - lo` (every range the RFC's recursion over
    /// a prefix reaches): its perfect part looked up, the rest folded.
    fn range_root(&self, lo: usize, hi: usize) -> Hash {
        match hi - lo {
            0 => empty_root(),
            n if n.is_power_of_two() => {
                let h = n.trailing_zeros() as usize;
                self.levels[h][lo >> h]
            }
            n => {
                let k = largest_pow2_below(n);
                node_hash(&self.range_root(lo, lo + k), &self.range_root(lo + k, hi))
            }
        }
    }

    /// Root of the whole tree.
    pub fn root(&self) -> Hash {
        self.range_root(0, self.levels[0].len())
    }

    fn check_size(&self, size: u64) -> Result<(), MerkleError> {
        if size > self.size() {
            return Err(MerkleError::SubtreeBeyondTree {
                end: size,
                size: self.size(),
            });
        }
        Ok(())
    }

    /// Root of the tree made of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, MerkleError> {
        self.check_size(size)?;
        Ok(self.range_root(0, size as usize))
    }

    /// Inclusion proof of leaf `index` in the tree of the first `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, MerkleError> {
        self.check_size(size)?;
        inclusion_proof_by(size, index, &|a, b| self.range_root(a, b))
    }

    /// Consistency proof between the trees of the first `old` and `new` leaves.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, MerkleError> {
        self.check_size(new)?;
        consistency_proof_by(new, old, &|a, b| self.range_root(a, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tree(n: u64) -> MerkleTree {
        let mut t = MerkleTree::new();
        for i in 0..n {
            t.push_data(&i.to_be_bytes());
        }
        t
    }

    #[test]
    fn the_kept_root_is_the_tree_hash_at_every_size() {
        let mut t = MerkleTree::new();
        assert_eq!(t.root(), empty_root());
        for i in 0..300u64 {
            t.push_data(&i.to_be_bytes());
            assert_eq!(
                t.root(),
                root_from_leaf_hashes(t.leaf_hashes()),
                "size {}",
                i + 1
            );
        }
        let again = MerkleTree::from_leaf_hashes(t.leaf_hashes().to_vec());
        assert_eq!(again, t);
    }

    /// Open finding 11: the tree's roots and proofs at every older size are
    /// the RFC's, computed from the kept subtrees instead of the whole prefix.
    #[test]
    fn kept_subtrees_give_the_rfcs_roots_and_proofs_at_every_size() {
        let t = tree(70);
        let leaves = t.leaf_hashes();
        for n in 0..=70u64 {
            let prefix = &leaves[..n as usize];
            assert_eq!(
                t.root_at(n).unwrap(),
                root_from_leaf_hashes(prefix),
                "root {n}"
            );
            for i in 0..n {
                assert_eq!(
                    t.inclusion_proof(i, n),
                    inclusion_proof(prefix, i),
                    "{i} in {n}"
                );
            }
            for m in 0..=n {
                assert_eq!(
                    t.consistency_proof(m, n),
                    consistency_proof(prefix, m),
                    "{m} to {n}"
                );
            }
        }
        assert!(t.root_at(71).is_err() && t.inclusion_proof(0, 71).is_err());
        assert!(t.inclusion_proof(70, 70).is_err() && t.consistency_proof(71, 70).is_err());
    }

    #[test]
    fn every_generated_proof_verifies_up_to_40() {
        let t = tree(40);
        for n in 1..=40u64 {
            let root = t.root_at(n).unwrap();
            for i in 0..n {
                let p = t.inclusion_proof(i, n).unwrap();
                verify_inclusion(i, n, &t.leaf_hashes()[i as usize], &p, &root).unwrap();
                // The wrong index never verifies.
                assert!(
                    verify_inclusion(
                        (i + 1) % n.max(2),
                        n,
                        &t.leaf_hashes()[i as usize],
                        &p,
                        &root
                    )
                    .is_err()
                        || n == 1
                );
            }
            for m in 1..=n {
                let p = t.consistency_proof(m, n).unwrap();
                let old = t.root_at(m).unwrap();
                verify_consistency(m, n, &p, &old, &root).unwrap();
                if m < n {
                    let wrong = t.root_at(m - 1).unwrap();
                    assert!(verify_consistency(m, n, &p, &wrong, &root).is_err());
                }
            }
        }
    }

    #[test]
    fn rfc6962_empty_and_single() {
        assert_eq!(
            empty_root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // Leaf hash of the empty string (RFC 6962 test data).
        assert_eq!(
            leaf_hash(b"").to_hex(),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    proptest! {
        #[test]
        fn random_proofs_never_panic(index in any::<u64>(), size in any::<u64>(), start in any::<u64>(), end in any::<u64>(), n in 0usize..12) {
            let proof: Vec<Hash> = (0..n).map(|i| Hash::of(&[i as u8])).collect();
            let r = Hash::of(b"r");
            let _ = verify_inclusion(index, size, &r, &proof, &r);
            let _ = verify_consistency(index, size, &proof, &r, &r);
            let _ = verify_subtree_inclusion(index, start, end, &r, &proof, &r);
            let _ = verify_subtree_consistency(start, end, size, &proof, &r, &r);
        }
    }
}
