#!/usr/bin/env python3
"""Held-out empathy conversations for RightTrack's scorecard items.

Written from the definitions of the four empathy items, before their detectors existed, and not
from ../shared/bench/dev-2k.jsonl or the pack's examples:

  empathy.acknowledge  the customer voices a difficulty, a feeling or a problem's impact; the agent
                       must acknowledge it (N/A when the customer voices none)
  empathy.apology      the customer reports something the company got wrong (billing error, missed
                       delivery or visit, broken promise, long wait, wrong or damaged goods); the
                       agent must apologise (N/A when nothing went wrong)
  empathy.ownership    the customer brings a problem; the agent must commit to act personally and
                       must not deflect (someone else's department, the system did it, call
                       someone else, blame the customer) (N/A without a problem)
  empathy.talk_over    voice with turn timings only: an agent turn that starts more than a second
                       before the customer's turn ends, other than a back-channel ("mm-hm"), is
                       talking over (N/A without timings)

A hostile customer never counts against the agent: a customer turn that insults, swears at or
threatens the agent obliges nothing (no acknowledgement or apology is owed to the rant itself) and
an agent cutting into it is not talking over. Some hostile turns use wording the pack's hostility
phrases may not know; a miss there shows up as a false failure, which is the point of measuring.

Hard cases: apologies that deflect ("sorry but that's policy"), non-apologies ("sorry you feel
that way"), repair "sorry?" (asking to repeat), negated or refused ownership ("I can't fix that"),
reassurance that is not deflection ("it's not your fault"), the customer's own mistake (no apology
owed), neutral requests (nothing to acknowledge), sarcasm, non-native phrasing, chat and voice.

Labels per interaction: {"items": {"empathy.acknowledge": "met"|"failed"|"na", ...}}.
Split: every pool is cut in three; "tune" draws from the first two thirds of each pool, "test" from
all of it, so about a third of the test phrasings never appear in tune.

  python3 bench/heldout/gen_empathy.py    # writes bench/heldout/empathy.{tune,test}.jsonl + labels
"""
import json
import os
import random
import re

SEED = 2222
N_PER_HALF = 500
HERE = os.path.dirname(os.path.abspath(__file__))

GREETS = ["thanks for calling, how can I help you today?", "hello, you're through to customer care, what can I do for you?",
          "hi, how may I help?", "good afternoon, support desk, what's happening?",
          "welcome, what can I sort out for you today?", "hello, accounts team, how can I assist?"]

# --- customer: company errors (apology owed; a problem to own) --------------------------------
ERRORS = [
    "you charged me twice for the same order.",
    "my bill is wrong, there's a charge for a phone I sent back.",
    "the parcel never arrived and it's been two weeks.",
    "your engineer was supposed to come on Monday and nobody showed up.",
    "I was promised a call back yesterday and nobody rang.",
    "I've been on hold for forty minutes before getting through.",
    "the item you sent is broken, the screen was cracked in the box.",
    "you sent me the wrong size.",
    "I got billed for a subscription I cancelled in March.",
    "the refund your colleague promised still hasn't come through.",
    "my internet has been down since Friday and nobody fixed it.",
    "you overcharged me by forty pounds this month.",
    "the delivery driver left my package in the rain and it's ruined.",
    "someone at your company closed my account by mistake.",
    "i am waiting since three weeks for the card you promise me.",
    "my order came with half the things missing.",
    "you took the direct debit twice this month.",
    "the technician didn't turn up again.",
    "I was told my contract would be cancelled and you still billed me.",
    "my booking disappeared from your system after I paid.",
    "the courier marked it delivered but it never came.",
    "your app charged my card even though the payment failed.",
    "they cut off my service although I had paid the bill.",
    "the replacement you sent is faulty as well.",
    "the price on my invoice is higher than the one you quoted.",
    "nobody answered my three emails.",
]
# --- customer: difficulty, feeling, impact (acknowledgement owed) ------------------------------
DIFFICULTY = [
    "I'm really stressed about this.",
    "honestly I'm so frustrated, this is the third time I've called.",
    "I'm worried I won't be able to pay rent now.",
    "it's been a nightmare, I had to take a day off work for it.",
    "I'm at my wits' end with this.",
    "my kids have had no heating all weekend.",
    "I'm so upset, it was a birthday present for my daughter.",
    "this has ruined my week.",
    "I'm fed up of chasing this.",
    "I can't afford to lose that money.",
    "my husband passed away last month and I'm trying to sort his accounts.",
    "I feel like nobody is listening to me.",
    "I've been losing sleep over it.",
    "I am very disappointed, I was customer for ten years.",
    "I'm anxious because I travel on Friday and need it.",
    "it's really upsetting to be treated like this.",
    "I couldn't work for two days because of it.",
    "I just lost my job so every penny matters.",
    "I'm in hospital at the moment so it's hard to deal with.",
    "I'm exhausted by all this back and forth.",
    "to be honest I'm fuming.",
    "it's making my life really difficult.",
]
# --- customer: neutral requests (nothing to acknowledge, nothing to apologise for) -------------
NEUTRAL = [
    "I'd like to update my address.",
    "can you tell me when my contract ends?",
    "I want to add my wife to the account.",
    "what's the cheapest plan you have?",
    "I need a copy of my last statement.",
    "could I change my payment date to the fifth?",
    "is there a branch near the station?",
    "I'd like to upgrade my phone.",
    "can you check if my parcel has been dispatched?",
    "I want to know how to set up the app.",
    "please send me the terms and conditions.",
    "how do I reset my password?",
]
# --- customer: their own mistake (no apology owed by the company) ------------------------------
OWN_MISTAKE = [
    "I typed my own email address wrong when I signed up.",
    "I forgot to pay last month, my bad.",
    "I ordered the wrong colour by accident.",
    "I think I entered the wrong card number myself.",
    "I booked the wrong date, that's on me.",
    "I deleted the app by mistake and lost my login.",
]
# --- customer: hostile (insults, swearing at the agent, threats) -------------------------------
HOSTILE = [
    "you idiot, just do your job.",
    "this is bullshit and you are useless.",
    "shut up and listen to me you moron.",
    "I'll have you fired, you incompetent clown.",
    "fuck you and your stupid company.",
    "are you thick or something? answer the damn question.",
    "go to hell, all of you.",
    "you're a waste of space.",
    "listen here you pathetic little man.",
]

# --- agent: acknowledgement ----------------------------------------------------------------------
ACK = [
    "I understand how frustrating that must be.",
    "I can hear how stressful this has been for you.",
    "that sounds really difficult.",
    "I'm sorry to hear you've been going through that.",
    "I can completely understand why you're upset.",
    "that must have been so annoying.",
    "I can imagine how worrying that is.",
    "I really get why you're fed up, that's not okay.",
    "it makes total sense that you're frustrated.",
    "I hear you, that's a lot to deal with.",
    "what a horrible week you've had.",
    "I appreciate how hard this has been.",
    "anyone would be upset about that.",
    "I can see this has caused you real trouble.",
    "oh no, that's awful.",
    "I'd be frustrated too in your position.",
    "I know this has been a long process for you.",
    "that's completely understandable.",
]
# Not an acknowledgement: back-channels, hollow or sarcastic phrases, the agent's own state.
ACK_NEG = [
    "I see.",
    "okay.",
    "right, let me just pull up the account.",
    "I don't understand what you want.",
    "well, calm down.",
    "sure, whatever you say.",
    "I understand but there's nothing I can do.",
    "I'm busy too, you know.",
    "thanks for the information.",
    "noted.",
    "okay, and what's the account number?",
    "yeah yeah, I get that a lot.",
]
# --- agent: apology -----------------------------------------------------------------------------
APOLOGY = [
    "I'm so sorry about that.",
    "I apologise for the mistake.",
    "sorry for the trouble this has caused.",
    "my apologies, that should not have happened.",
    "we're really sorry, that's our error.",
    "I'm sorry we let you down.",
    "please accept our apologies for the wait.",
    "sorry about the mix-up with your bill.",
    "I do apologise for the inconvenience.",
    "really sorry you had to chase us.",
    "I'm very sorry for the delay.",
    "that's on us and I'm sorry.",
    "apologies for that, it's not the service we want to give.",
    "so sorry, that's not good enough on our part.",
    "we apologize for any confusion.",
    "I'm sorry to hear that happened.",
    "sincere apologies for the hassle.",
]
# Not an apology: deflecting, conditional or sarcastic "sorry", repair requests, refusals.
APOLOGY_NEG = [
    "sorry but that's our policy.",
    "sorry, but there's nothing I can do about it.",
    "I'm sorry you feel that way.",
    "sorry if you think that.",
    "sorry, can you repeat that?",
    "sorry, what was the order number?",
    "I'm not going to apologise for the courier.",
    "there's no need to apologise.",
    "sorry, I didn't catch that.",
    "well sorry, but rules are rules.",
    "I'm sorry you're confused about the bill.",
    "oh, sorry, I thought you said something else.",
]
# --- agent: ownership ---------------------------------------------------------------------------
OWN = [
    "I'll sort this out for you right now.",
    "let me fix that for you.",
    "I'm going to get this resolved today.",
    "leave it with me, I'll chase the warehouse myself.",
    "I'll make sure the charge is reversed.",
    "I've raised the refund and I'll follow it up personally.",
    "I will take care of it.",
    "let me look into that and put it right.",
    "I'm going to book the engineer for you now.",
    "I'll personally call you back tomorrow with an update.",
    "I can correct that on my side straight away.",
    "I'll handle it from here.",
    "I'll get a replacement sent out to you.",
    "I will escalate it myself and keep you posted.",
    "I've already cancelled the duplicate payment.",
    "let me deal with the courier on your behalf.",
    "I'm taking responsibility for getting this fixed.",
]
# Deflection: the problem pushed away from the agent.
DEFLECT = [
    "that's not my department.",
    "the system did that, not me.",
    "you'll have to call the courier yourself.",
    "there's nothing I can do, it's out of my hands.",
    "that's not my problem, talk to billing.",
    "you need to contact head office about that.",
    "it's the computer, it does that sometimes.",
    "I just work here, I don't make the rules.",
    "you should have read the terms.",
    "take it up with the manufacturer.",
    "that's a different team, I can't help you.",
    "blame the warehouse, not us.",
    "you'd better ring the store where you bought it.",
    "it's not our fault, the bank did it.",
]
# Neither ownership nor deflection (no commitment, no push away); or negated deflection.
OWN_NEG = [
    "it's not your fault at all.",
    "you don't need to call anyone else.",
    "can I help with anything else?",
    "the courier usually delivers by noon.",
    "thank you for waiting.",
    "the form is on our website.",
]
# Sentences of the pools above that also do another item's function, by its definition:
# sympathy "sorry to hear" both acknowledges and apologises; a "sorry" or "I understand"
# undercut by "there's nothing I can do", a policy or someone else to blame deflects.
ALSO_ACK = {"I'm sorry to hear you've been going through that.", "I'm sorry to hear that happened."}
ALSO_APOLOGY = {"I'm sorry to hear you've been going through that."}
ALSO_DEFLECT = {"I understand but there's nothing I can do.", "sorry but that's our policy.",
                "sorry, but there's nothing I can do about it.", "well sorry, but rules are rules.",
                "I'm not going to apologise for the courier."}
# --- agent: to a hostile customer --------------------------------------------------------------
BOUNDARY = [
    "I want to help, but I need you to stop swearing at me.",
    "please don't speak to me like that, I'm trying to help.",
    "if the abuse continues I will have to end the call.",
    "I'll help you as soon as we can talk calmly.",
]
CLOSE = ["is there anything else I can help with?", "thanks for your patience, have a good day.",
         "take care.", "anything else today?"]
BACKCHANNEL = ["mm-hm", "yeah", "right", "okay", "uh-huh", "I see", "sure", "mhm"]


def part(pool, half):
    """Tune draws from the first two thirds of a pool; test from all of it."""
    if half == "test" or len(pool) < 3:
        return pool
    return pool[: max(1, (len(pool) * 2) // 3)]


def voice(s, rng):
    s = re.sub(r"[\"“”]", "", s)
    s = re.sub(r"[.,!?;:()]", " ", s.lower())
    s = s.replace("-", " ") if "mm-hm" not in s and "uh-huh" not in s else s
    words = s.split()
    if words and rng.random() < 0.25:
        words.insert(rng.randrange(len(words) + 1), rng.choice(["uh", "um"]))
    return " ".join(words)


def render(channel, s, rng):
    if channel == "voice":
        return voice(s, rng)
    s = s[:1].upper() + s[1:]
    if channel == "chat" and rng.random() < 0.3:
        s = s.rstrip(".").lower()
    return s


def conversation(idx, half, rng):
    P = lambda pool: rng.choice(part(pool, half))
    channel = rng.choice(["voice", "voice", "chat", "email"])
    # What the customer brings.
    kind = rng.choices(["error", "difficulty", "both", "neutral", "own", "hostile", "hostile_error"],
                       [3, 2, 3, 2, 1, 1, 1])[0]
    cust = []  # sentences of the customer's problem turn
    hostile = kind.startswith("hostile")
    err = kind in ("error", "both")
    diff = kind in ("difficulty", "both")
    if kind == "error":
        cust = [P(ERRORS)]
    elif kind == "difficulty":
        cust = [P(DIFFICULTY)]
    elif kind == "both":
        cust = [P(ERRORS), P(DIFFICULTY)]
    elif kind == "neutral":
        cust = [P(NEUTRAL)]
    elif kind == "own":
        cust = [P(OWN_MISTAKE)]
    elif kind == "hostile":
        cust = [P(HOSTILE)]
    else:
        # A rant that also names an error: the rant obliges nothing; the agent answers
        # the abuse. (A calm turn afterwards would oblige again; not generated here.)
        cust = [P(ERRORS), P(HOSTILE)]
    problem = err or diff
    # What the agent answers with, chosen independently of the labels' definitions.
    reply = []
    ack = apol = own = deflect = False
    if hostile:
        reply.append(P(BOUNDARY))
    else:
        if diff or rng.random() < 0.3:
            if rng.random() < 0.6:
                reply.append(P(ACK))
                ack = True
            elif rng.random() < 0.6:
                reply.append(P(ACK_NEG))
        if err or rng.random() < 0.2:
            r = rng.random()
            if r < 0.55:
                reply.append(P(APOLOGY))
                apol = True
            elif r < 0.85:
                reply.append(P(APOLOGY_NEG))
        if problem or rng.random() < 0.3:
            r = rng.random()
            if r < 0.55:
                reply.append(P(OWN))
                own = True
            elif r < 0.8:
                reply.append(P(DEFLECT))
                deflect = True
            else:
                reply.append(P(OWN_NEG))
    # The agent's answer may be one turn or two (a second reply after "anything else?").
    ack |= any(r in ALSO_ACK for r in reply)
    apol |= any(r in ALSO_APOLOGY for r in reply)
    deflect |= any(r in ALSO_DEFLECT for r in reply)
    turns = [("agent", P(GREETS)), ("customer", " ".join(cust))]
    if len(reply) > 2 and rng.random() < 0.4:
        turns.append(("agent", " ".join(reply[:1])))
        turns.append(("customer", rng.choice(["ok", "right", "yes", "go on"])))
        turns.append(("agent", " ".join(reply[1:])))
    else:
        turns.append(("agent", " ".join(reply) if reply else "one moment please."))
    turns.append(("customer", rng.choice(["ok thanks", "fine", "no that's all", "alright"])))
    turns.append(("agent", P(CLOSE)))

    # Turn timings on two thirds of voice calls.
    timed = channel == "voice" and rng.random() < 0.67
    talk_over = False
    out_turns = [{"speaker": s, "text": render(channel, t, rng)} for s, t in turns]
    if timed:
        t = 0
        over_at = rng.choice([None, None, "hard", "soft", "backchannel"])
        for k, tu in enumerate(out_turns):
            dur = 800 + 350 * len(tu["text"].split())
            start = t + rng.randint(150, 700)
            if k == 2 and over_at == "hard":
                # The agent starts 1.5 to 4 s before the customer's problem turn ends
                # (never before it starts).
                c = out_turns[1]
                over = min(rng.randint(1500, 4000), c["end_ms"] - c["start_ms"] - 200)
                start = c["end_ms"] - over
                talk_over = over > 1000 and not hostile
            elif k == 2 and over_at == "soft":
                # A latching start (under a second of overlap): ordinary turn-taking.
                start = out_turns[1]["end_ms"] - rng.randint(0, 700)
            tu["start_ms"] = start
            tu["end_ms"] = start + dur
            t = tu["end_ms"]
        if over_at == "backchannel":
            # A back-channel inside the customer's problem turn.
            c = out_turns[1]
            bc = {"speaker": "agent", "text": rng.choice(BACKCHANNEL),
                  "start_ms": c["start_ms"] + 1200, "end_ms": c["start_ms"] + 1700}
            out_turns.insert(2, bc)
    inter = {"id": f"heldout-empathy-{half}-{idx:04d}", "channel": channel, "agent_id": f"E{rng.randint(100, 999)}",
             "started_at": "2026-12-10T10:00:00Z", "turns": out_turns}
    items = {
        "empathy.acknowledge": "na" if (hostile or not diff) else ("met" if ack else "failed"),
        "empathy.apology": "na" if (hostile or not err) else ("met" if apol else "failed"),
        "empathy.ownership": "na" if (hostile or not problem) else ("met" if own and not deflect else "failed"),
        "empathy.talk_over": "na" if not timed else ("failed" if talk_over else "met"),
    }
    return inter, {"id": inter["id"], "items": items}


def main():
    rng = random.Random(SEED)
    for half in ("tune", "test"):
        rows = [conversation(i, half, rng) for i in range(N_PER_HALF)]
        with open(os.path.join(HERE, f"empathy.{half}.jsonl"), "w") as f:
            for inter, _ in rows:
                f.write(json.dumps(inter) + "\n")
        with open(os.path.join(HERE, f"empathy.{half}.labels.jsonl"), "w") as f:
            for _, lab in rows:
                f.write(json.dumps(lab) + "\n")


if __name__ == "__main__":
    main()
