//! Like/dislike votes, as the user registry records them per user and the video registry counts
//! them per video: one code per (user, video), and the counters that follow a change of code.

/// A vote code: none.
pub const VOTE_NONE: u8 = 0;
/// A vote code: like.
pub const VOTE_LIKE: u8 = 1;
/// A vote code: dislike.
pub const VOTE_DISLIKE: u8 = 2;

/// The (likes, dislikes) counters once one vote moves from `previous` to `next`. Saturating: a
/// previous like (dislike) is counted in `likes` (`dislikes`) by the callers' invariant, and one
/// vote per (user, video) stays far below 2⁶⁴, so saturation never changes a correct count; it
/// keeps a broken caller from wrapping.
#[must_use]
#[inline]
pub fn tally(likes: u64, dislikes: u64, previous: u8, next: u8) -> (u64, u64) {
    let (mut likes, mut dislikes) = (likes, dislikes);
    match previous {
        VOTE_LIKE => likes = likes.saturating_sub(1),
        VOTE_DISLIKE => dislikes = dislikes.saturating_sub(1),
        _ => {}
    }
    match next {
        VOTE_LIKE => likes = likes.saturating_add(1),
        VOTE_DISLIKE => dislikes = dislikes.saturating_add(1),
        _ => {}
    }
    (likes, dislikes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_moves_one_vote_between_counters() {
        assert_eq!(tally(3, 5, VOTE_NONE, VOTE_LIKE), (4, 5));
        assert_eq!(tally(3, 5, VOTE_LIKE, VOTE_DISLIKE), (2, 6));
        assert_eq!(tally(3, 5, VOTE_DISLIKE, VOTE_LIKE), (4, 4));
        assert_eq!(tally(3, 5, VOTE_DISLIKE, VOTE_NONE), (3, 4));
        assert_eq!(tally(3, 5, VOTE_LIKE, VOTE_NONE), (2, 5));
    }

    #[test]
    fn tally_saturates_instead_of_wrapping() {
        assert_eq!(tally(0, 0, VOTE_LIKE, VOTE_NONE), (0, 0));
        assert_eq!(tally(u64::MAX, 0, VOTE_NONE, VOTE_LIKE), (u64::MAX, 0));
    }
}
