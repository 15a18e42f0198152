//! A set of choices of one question, as 64 bits (a question has at most 64 choices).

/// A set of choice positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ChoiceSet(u64);

impl ChoiceSet {
    /// Adds the choice at position `i` (< 64).
    pub fn insert(&mut self, i: u8) {
        self.0 |= 1 << (i & 63);
    }

    /// Whether the choice at position `i` is in the set.
    pub fn contains(self, i: u8) -> bool {
        i < 64 && self.0 & (1 << i) != 0
    }

    /// Whether the two sets share a choice.
    pub fn intersects(self, other: ChoiceSet) -> bool {
        self.0 & other.0 != 0
    }

    /// The number of choices in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The positions in the set, ascending.
    pub fn iter(self) -> impl Iterator<Item = u8> {
        (0..64u8).filter(move |&i| self.contains(i))
    }
}

impl FromIterator<u8> for ChoiceSet {
    fn from_iter<I: IntoIterator<Item = u8>>(iter: I) -> Self {
        let mut set = ChoiceSet::default();
        for i in iter {
            set.insert(i);
        }
        set
    }
}
