"""ClaimStore: the conditional write that lets exactly one reprocess run publish an event."""

from __future__ import annotations

from reprocess_world import OKTA, World

from eventframework.reprocess import ClaimOutcome
from eventframework.reprocess.claims import CLAIM_SECONDS


def test_claims_first_run_claims_a_second_run_sees_it_held(world: World) -> None:
    assert world.claims.claim(OKTA, "e1", "run-a") is ClaimOutcome.CLAIMED
    assert world.claims.claim(OKTA, "e1", "run-b") is ClaimOutcome.HELD
    assert world.claims.claim(OKTA, "e1", "run-a") is ClaimOutcome.CLAIMED, "the owner may claim again"


def test_claims_an_expired_claim_can_be_taken_over(world: World) -> None:
    world.claims.claim(OKTA, "e1", "crashed-run")
    world.clock.now += CLAIM_SECONDS + 1
    assert world.claims.claim(OKTA, "e1", "run-b") is ClaimOutcome.CLAIMED


def test_claims_confirm_marks_published_and_deletes_the_dead_letter(world: World) -> None:
    store = world.services.deadletters
    store.put(OKTA, event_key="e1", raw={"uuid": "e1"}, error_kind="schema_invalid", message="m", run_id="r")
    world.claims.claim(OKTA, "e1", "run-a")
    world.claims.confirm(OKTA, "e1", "run-a", store)
    assert store.get(OKTA, "e1") is None
    world.clock.now += CLAIM_SECONDS * 10
    assert world.claims.claim(OKTA, "e1", "run-b") is ClaimOutcome.PUBLISHED, (
        "published never expires to a claim"
    )


def test_claims_release_frees_only_our_own_claim(world: World) -> None:
    world.claims.claim(OKTA, "e1", "run-a")
    world.claims.release(OKTA, "e1", "run-b")
    assert world.claims.claim(OKTA, "e1", "run-b") is ClaimOutcome.HELD
    world.claims.release(OKTA, "e1", "run-a")
    assert world.claims.claim(OKTA, "e1", "run-b") is ClaimOutcome.CLAIMED
