-- Each peer commitment's latest review: from the session held last (same day: the review
-- recorded last), with that session's id and day.
create or replace macro macros.main.latest_reviews() as table
    select r.commitment_id, r.session_id, s.held_on, r.done, r.note
    from peer_commitment_reviews as r
    inner join peer_sessions as s on s.id = r.session_id
    qualify row_number() over (
        partition by r.commitment_id order by s.held_on desc, r.reviewed_at desc, r.rowid desc
    ) = 1
