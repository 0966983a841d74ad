import collections
from hypothesis import given, settings
from tests.procedure import test_model_agreement as t
C = collections.Counter()
orig_play = t.play
def play(model, engine, step):
    orig_play(model, engine, step)
    C["cur " + model.current] += 1
    if model.end: C["end " + model.end[1]] += 1
    if model.requests: C["req timely=%s" % model.requests[-1].timely] += 1
    if model.decided_on: C["decided r%d" % model.negotiation_round] += 1
t.play = play
def test_stats(session_app):
    @settings(max_examples=300, deadline=None, database=None)
    @given(t.histories())
    def check(h):
        with session_app.app_context():
            session_app.config["ORG_TIMEZONE"] = h[0].tz
            t.run(*h)
    check()
    print(sorted(C.items()))
