#!/usr/bin/env python3
"""Held-out conduct and disclosure conversations for RightTrack (issue 17).

Written from the definitions of the events, not from ../shared/bench/dev-2k.jsonl:
  conduct.guarantee   unconditional assurance about an outcome the agent does not control
  conduct.pressure    a push to decide before the customer is ready
  conduct.abusive     contempt aimed at the customer
  disclosure.recording_missing     voice: no recording notice in the agent's first two turns
  disclosure.verification_missing  account details disclosed before any identity check

Every slot has many independent phrasings; each conversation composes an opening, an issue, an
optional identity check and disclosure, a conduct sentence (positive, hard negative or none) and a
closing, rendered in one of three channels (voice: lower-case ASR style without punctuation; chat;
email). Hard negatives: hedged, negated, conditional, quoted or reported statements, commitments
within the agent's control, product guarantees, profanity about a thing, the customer speaking,
self-deprecation, empathy, informational dates and stock.

Split: every pool is cut in three; the "tune" half draws only from the first two thirds of each
pool, the "test" half from all of it, so about a third of the test phrasings never appear in tune.

  python3 bench/heldout/gen_conduct.py     # writes bench/heldout/conduct{,.tune,.test}.jsonl + labels
"""
import json
import os
import random
import re

SEED = 1717
N_PER_HALF = 600
HERE = os.path.dirname(os.path.abspath(__file__))

# --- openings -----------------------------------------------------------------
COMPANIES = ["northwind bank", "fabrikam energy", "tailspin mobile", "litware insurance",
             "adatum loans", "wingtip home", "lucerne credit union", "alpine parcel",
             "blue yonder broadband", "coho lending", "margie travel", "fourth coffee rewards"]
GREETS = ["thanks for calling {co}, how can I help you today?",
          "good morning, you're through to {co}, what can I do for you?",
          "hi there, {co} customer care, what's the reason for your call?",
          "hello and welcome to {co}, how may I help?",
          "{co}, good afternoon, how can I help?",
          "hiya, you've reached {co} support, what's going on?",
          "welcome to {co}, what can I sort out for you today?",
          "hello, {co} accounts team here, how can I assist?",
          "you're speaking with the {co} help desk, what seems to be the problem?"]
# Recording notices in many forms (the function: the customer is told the call is captured).
NOTICES = ["this call may be recorded for quality and training purposes.",
           "just so you know, calls are recorded.",
           "before we start, this conversation is being recorded.",
           "please note our calls are monitored to help improve our service.",
           "calls to this line are recorded for training.",
           "this line is recorded.",
           "we record all calls for quality assurance.",
           "heads up, I'm recording this call for our records.",
           "your call is being monitored and recorded.",
           "calls are monitored and may be reviewed for coaching.",
           "a recording of this call is kept for compliance purposes.",
           "this conversation may be reviewed for quality purposes.",
           "for training purposes this call is recorded.",
           "we keep a recording of every call to improve our service.",
           "calls are logged and reviewed for quality control.",
           "I should mention this call is recorded.",
           "quick note, the call is being recorded for security and training."]

# --- issues -------------------------------------------------------------------
ISSUES = {
    "loan": ["I applied for a personal loan last week and haven't heard anything.",
             "I want to know if my mortgage application is going to go through.",
             "I'm thinking about applying for your credit card but my credit isn't great.",
             "my car finance application is still pending, what's happening?",
             "can you tell me whether I'd get the overdraft extension?"],
    "refund": ["I returned the jacket two weeks ago and still no refund.",
               "you charged me twice for the same month and I want it back.",
               "the late fee on my account isn't fair, I paid on time.",
               "I cancelled my subscription but you took another payment.",
               "the hotel was closed when we arrived and I want my money back."],
    "delivery": ["my parcel was supposed to arrive yesterday and it's not here.",
                 "the sofa delivery keeps getting pushed back.",
                 "where is my order? tracking hasn't moved in days.",
                 "the replacement phone you promised still hasn't shown up.",
                 "I need the part before the weekend or my boiler stays broken."],
    "sale": ["I'm looking at upgrading my plan, what have you got?",
             "I saw something about a discount on fibre broadband.",
             "my contract is ending and I'm deciding whether to stay.",
             "what would it cost to add the premium package?",
             "is there a better tariff than the one I'm on?"],
    "support": ["the app keeps logging me out.",
                "my internet drops every evening around eight.",
                "I can't reset my password, the link doesn't work.",
                "the meter reading on my bill looks wrong.",
                "the card reader you sent isn't pairing with my phone."],
}
CUSTOMER_FILLERS = ["okay.", "right.", "I see.", "alright then.", "hmm, okay.", "sure.",
                    "that's a relief.", "fine.", "go on.", "okay, thanks."]

# --- identity check and account disclosures ------------------------------------
VERIFY = ["before I go into the account, can you confirm your date of birth?",
          "for security, what's the postcode on the account?",
          "I just need to check it's you, could you give me the last four digits of your social?",
          "can I take the first line of your address please?",
          "what's your passcode on the account?",
          "could you answer your security question for me, the name of your first school?",
          "I need to verify your identity first, what's your date of birth?",
          "to make sure I'm speaking with the account holder, can you tell me your zip code?",
          "could you read me the one time code we just texted you?",
          "may I have the email address registered on the account?",
          "let's get you through security, what's your memorable word?",
          "and your birthday, please, just so I know it's you?",
          "quick data protection check, what's the full postcode?",
          "can you confirm the last four of the card on file for me?",
          "I'll need to ask a couple of security questions first, when were you born?"]
VERIFY_ANSWERS = ["it's the fourth of may, nineteen eighty.", "sure, it's 04/05/1980.",
                  "ok, one second... there you go.", "yeah, it's the one ending 77.",
                  "fine, I've just given it to you in the chat.", "right, that's done."]
DISCLOSE = ["I can see your current balance is ${amt}.",
            "you currently owe ${amt} on the account.",
            "there's ${amt} outstanding at the moment.",
            "your account shows a balance of ${amt}.",
            "the amount due this month is ${amt}.",
            "you're ${amt} past due.",
            "your last statement was for ${amt}.",
            "the card we have on file ends in {last4}.",
            "the address we have for you is {addr}.",
            "your outstanding balance comes to ${amt}.",
            "right now you owe us ${amt}.",
            "I'm seeing ${amt} due on the fifteenth."]
ADDRS = ["14 orchard lane, millbrook", "221 river road, eastfield", "9 kestrel close, harlow",
         "78 station street, dunmore", "3 mill view, ashby"]

# --- guarantee ----------------------------------------------------------------
G_BOOST_PRE = ["I guarantee", "I can guarantee", "I promise you", "I can promise", "trust me,",
               "rest assured,", "you have my word,", "I'm a hundred percent sure", "I'm certain",
               "I swear", "believe me,", "without a doubt,", "mark my words,",
               "I'm telling you,", "hand on heart,", "take it from me,", "I can assure you",
               "I give you my word", "no question about it,", "I'd bet my job that",
               "it's a certainty that", "one hundred percent,", "I know for a fact that",
               "you can count on it,", "I'm positive"]
G_BOOST_POST = ["guaranteed.", "I promise.", "no doubt about it.", "100%.", "for sure.",
                "I guarantee it.", "you can bank on that.", "no question.", "count on it.",
                "you have my word on that.", "absolutely certain.", "that's a promise.",
                "hands down.", "without fail."]
G_OUTCOME = {
    "loan": ["your loan will be approved", "you'll be approved by monday", "the bank is going to accept your application",
             "you'll qualify for the lower rate", "they'll sign off on the mortgage",
             "your overdraft extension will go through", "the application will sail through underwriting",
             "you'll get the card even with your credit history", "this will fix your credit score",
             "your score will jump at least fifty points"],
    "refund": ["you'll get every penny back", "the refund will be in your account tomorrow",
               "the late fee will be wiped off", "the double charge gets reversed this week",
               "you'll be fully reimbursed", "the dispute will be decided in your favour",
               "the airline will compensate you", "the money will be back before the weekend",
               "you'll get the full amount refunded", "the chargeback will succeed"],
    "delivery": ["your parcel will arrive tomorrow", "the sofa will be delivered on saturday",
                 "it'll be on your doorstep by friday", "the courier will get it to you before noon",
                 "the part reaches you before the weekend", "your replacement ships today and lands tomorrow",
                 "the order turns up first thing in the morning", "it will be there by the weekend"],
    "sale": ["this is the lowest price you'll find anywhere", "your bill will go down every month",
             "the rate stays fixed forever", "you'll save at least two hundred a year",
             "nobody will beat this price", "your speeds will double", "the price won't ever rise",
             "you'll earn the money back in three months"],
    "support": ["this update will fix the problem for good", "the drops will stop tonight",
                "the new router solves it", "your bill will be corrected next month",
                "the engineer will sort it first time", "you'll never see that error again"],
}
G_ADVERSE = ["there's no way you'll be declined", "they won't turn you down",
             "you can't be rejected on this one", "there's zero chance they refuse the claim",
             "no chance of it bouncing back", "the bank won't say no", "it won't get denied",
             "they will never reject an application like yours"]
G_SELF = ["it's completely risk free.", "honestly, you can't lose with this.",
          "approval is just a formality at this point.", "it's a done deal.",
          "this one is in the bag.", "you literally cannot go wrong.", "it's a sure thing.",
          "it's nailed on."]
# Hard negatives around guarantees.
G_HEDGE = ["{o} probably", "it's likely {o}", "{o}, hopefully", "I'd expect {o}, but I can't be sure",
           "I think {o}", "normally {o}", "{o} in most cases", "with any luck {o}",
           "it's possible {o}", "I'll try my best and maybe {o}", "there's a good chance {o}",
           "I'm hoping {o}", "usually {o}", "{o}, or at least it should"]
G_NEG = ["I can't guarantee {o}", "I'm not able to promise {o}", "nobody can promise {o}",
         "there's no guarantee {o}", "I won't pretend {o} for sure", "I couldn't tell you for certain that {o}",
         "I'm not going to promise {o}", "I cannot say for sure that {o}"]
G_COND = ["if the underwriters sign off, {o}", "once the review is finished, {o}",
          "provided the bank accepts the paperwork, {o}", "assuming the claim is approved, {o}",
          "if everything checks out, {o}", "as long as the investigation finds in your favour, {o}"]
G_REPORT = ["I know the advert says \"guaranteed approval\", but that's not how it works.",
            "the website claims you're guaranteed to be approved, I'm afraid that's marketing.",
            "a colleague told you it was guaranteed, but I have to correct that.",
            "you said the salesman promised you'd get every penny back, I'm sorry that was wrong.",
            "the letter says the refund is guaranteed, but it's still under review."]
G_CONTROL = ["I'll definitely send you the form today.", "I promise I'll call you back tomorrow.",
             "I guarantee I'll escalate this myself.", "I'll absolutely put a note on the account.",
             "I can definitely raise a complaint for you.", "I'll make sure the request is logged.",
             "rest assured I'll chase the team for you.", "I'll certainly email the confirmation over."]
G_PRODUCT = ["the heater comes with a two year guarantee.", "we have a 30 day money back guarantee on it.",
             "our price match guarantee covers that retailer.", "it's covered under the manufacturer's guarantee.",
             "there's a satisfaction guarantee on the first month."]
G_CUSTOMER = ["you guaranteed me a refund last time!", "can you promise it'll arrive tomorrow?",
              "the other agent swore I'd be approved.", "is the refund guaranteed?",
              "I was promised the lowest price."]

# --- pressure -----------------------------------------------------------------
OFFERS = ["this discount", "the offer", "this price", "the deal", "this rate", "the promo",
          "the upgrade price", "this bundle", "the special pricing", "the loyalty rate"]
P_POS = [
    # urgency / time limits
    "{offer} expires at midnight, so you need to decide now.",
    "I can only hold {offer} while we're on the call.",
    "{offer} is only good until the end of today.",
    "this is a today-only price, once we hang up it's gone.",
    "you've got about ten minutes before {offer} disappears.",
    "the system will pull {offer} tonight, so let's lock it in right now.",
    "the clock is ticking on {offer}.",
    "I need an answer before we end the call.",
    "sign today or you lose {offer}.",
    "{offer} won't last past this evening.",
    "it's now or never on {offer}.",
    "you have to make your mind up right now.",
    # scarcity
    "there are only two of these left in stock.",
    "we've only got a handful of slots left at this price.",
    "these are selling out fast, I wouldn't wait.",
    "it's the last one we have in the warehouse.",
    "demand is huge, they're flying off the shelves.",
    "only three installation dates left this month and they're going quickly.",
    # loss framing
    "if you hang up now, {offer} is gone for good.",
    "if you wait until tomorrow the price goes up by forty pounds.",
    "if you call back later you'll lose {offer}.",
    "every day you wait is costing you money.",
    "you'll miss out on {offer} if you think about it too long.",
    "you'll kick yourself if you let {offer} go.",
    "you will never see {offer} again.",
    # social proof
    "everyone on your street has already switched.",
    "most of our customers sign up for it straight away.",
    "thousands of people grabbed {offer} this week.",
    "everybody is upgrading to this plan right now.",
    # confirmshaming
    "you'd be crazy to pass on {offer}.",
    "only a fool would turn {offer} down.",
    "are you really going to say no to saving that much?",
    "smart customers lock this in, don't be the one who misses it.",
    "honestly it's a no-brainer, why would anyone say no?",
    # refusing time to think
    "there's no need to talk it over with your wife, just say yes.",
    "you don't need to think about it, it's the right choice.",
    "don't sleep on it, decide now.",
    "I can't give you time to think, the offer ends on this call.",
    "there's no point waiting, sign up now.",
    "don't overthink it, let's get you signed up.",
    "I can't call you back with this price, it's this call or nothing.",
]
P_NEG = [
    "no pressure at all, {offer} is valid for thirty days.",
    "take your time and talk it over with your family.",
    "the promotion runs until the end of march, so there's no rush.",
    "have a think and call us back whenever you're ready.",
    "you don't have to decide today, I'll email you the quote.",
    "{offer} doesn't expire, it stays on your account.",
    "there's no deadline on this.",
    "whenever suits you is fine, the price won't change.",
    "feel free to compare other providers first.",
    "I'll hold {offer} for two weeks so you can decide.",
    "we have plenty in stock, so no need to hurry.",
    "sleep on it and let me know.",
    "the sale ended yesterday, I'm sorry about that.",
    "it's completely up to you, there's no obligation.",
    "most customers ask for a few days to think, and that's fine.",
    "I'd rather you take the time to read the terms first.",
]
P_CUSTOMER = ["I need an answer today, I can't wait around.",
              "tell me now or I'm switching providers.",
              "I'll decide right now if you knock ten pounds off.",
              "everyone I know has already left you."]

# --- abuse --------------------------------------------------------------------
A_POS = [
    "are you stupid or something?",
    "you're being completely ridiculous.",
    "that's the dumbest question I've heard all day.",
    "listen, you idiot, I already explained this.",
    "how thick can you be?",
    "shut up and let me finish.",
    "I don't care, that's not my problem.",
    "stop whining, it's a few pounds.",
    "honestly, even a child could follow these instructions.",
    "I haven't got all day for this nonsense.",
    "are you even listening to me?",
    "what is wrong with you?",
    "you people never read the terms.",
    "just read me the damn number.",
    "it's your own fault for not checking.",
    "you're overreacting, it's hardly a disaster.",
    "do I need to spell it out for you?",
    "get a grip, it's a late parcel.",
    "how many times do I have to tell you?",
    "fuck off, I'm not doing that.",
    "you're clueless about how this works.",
    "nobody else complains about this, only you.",
    "use your brain for once.",
    "what a moron.",
    "deal with it.",
    "you are wasting my time.",
    "stop crying about it.",
    "that's a pathetic excuse.",
    "it's not rocket science, even my gran manages it.",
    "you're a pain in the neck, you know that?",
    "oh for god's sake, just answer the question.",
    "can you not read? it's on the screen.",
]
A_NEG = [
    "this damn system keeps freezing on me, sorry about the wait.",
    "silly me, I typed the wrong number.",
    "that's not a stupid question at all.",
    "it's not your fault, the courier messed up.",
    "there's no such thing as a dumb question here.",
    "I'm such an idiot, I forgot to press save.",
    "the printer is being useless today, one moment.",
    "I'd never call a customer an idiot.",
    "I understand, that must be really frustrating.",
    "this bloody form takes forever to load, bear with me.",
    "you're not being difficult at all, it's a fair request.",
    "what a ridiculous delay, I'm so sorry you had to wait.",
    "I completely get why you're upset.",
    "the stupid thing crashed again, let me reopen it.",
]
A_CUSTOMER = ["you're useless, all of you.", "are you stupid? I said the blue one.",
              "this is bullshit, I want a manager.", "shut up and listen to me for once.",
              "what a bunch of idiots."]

CLOSINGS = ["is there anything else I can help with?", "thanks for your patience today.",
            "have a good rest of your day.", "I've noted everything on the account.",
            "you'll get a summary by email shortly.", "thanks for getting in touch."]
CUSTOMER_CLOSE = ["no, that's everything, thanks.", "okay, bye.", "thanks, that's all.",
                  "alright, cheers.", "nope, that's it."]

NUM_WORDS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five",
             "6": "six", "7": "seven", "8": "eight", "9": "nine"}


def part(pool, half):
    """Tune draws from the first two thirds of a pool; test from all of it."""
    if half == "test" or len(pool) < 3:
        return pool
    return pool[: max(1, (len(pool) * 2) // 3)]


def voice(s, rng):
    """Lower-case ASR style: no punctuation, digits often spoken, the odd filler."""
    s = s.replace("$", "").replace("%", " percent").replace("&", " and ")
    if rng.random() < 0.5:
        s = re.sub(r"\d", lambda m: " " + NUM_WORDS[m.group(0)] + " ", s)
    s = re.sub(r"[\"“”]", "", s)
    s = re.sub(r"[.,!?;:()]", " ", s.lower())
    s = s.replace("-", " ")
    words = s.split()
    if words and rng.random() < 0.3:
        words.insert(rng.randrange(len(words) + 1), rng.choice(["uh", "um", "you know"]))
    return " ".join(words)


def cap(s):
    return s[:1].upper() + s[1:]


def render(channel, speaker, s, rng):
    if channel == "voice":
        return voice(s, rng)
    s = cap(s)
    if channel == "chat" and rng.random() < 0.3:
        s = s.rstrip(".")
    return s


def conversation(idx, half, rng):
    channel = rng.choice(["voice", "voice", "chat", "email"])
    topic = rng.choice(sorted(ISSUES))
    co = rng.choice(COMPANIES)
    P = lambda pool: part(pool, half)
    turns = []  # (speaker, text)
    events = set()

    greet = rng.choice(P(GREETS)).format(co=co)
    notice_mode = rng.random()
    if channel == "voice":
        if notice_mode < 0.45:
            greet = rng.choice(P(NOTICES)) + " " + greet if rng.random() < 0.6 else greet + " " + rng.choice(P(NOTICES))
            late_notice = False
        elif notice_mode < 0.7:
            late_notice = "second"
        elif notice_mode < 0.85:
            late_notice = "late"  # only after the agent's second turn: still missing
            events.add("disclosure.recording_missing")
        else:
            late_notice = "none"
            events.add("disclosure.recording_missing")
    else:
        late_notice = False
    turns.append(("agent", greet))
    turns.append(("customer", rng.choice(P(ISSUES[topic]))))
    second = rng.choice(["sorry to hear that, let me pull up the account.", "okay, I can help with that.",
                         "right, let me have a look.", "no problem, bear with me a second."])
    if late_notice == "second":
        second = rng.choice(P(NOTICES)) + " " + second
    turns.append(("agent", second))
    turns.append(("customer", rng.choice(P(CUSTOMER_FILLERS))))
    if late_notice == "late":
        turns.append(("agent", rng.choice(P(NOTICES))))
        turns.append(("customer", rng.choice(P(CUSTOMER_FILLERS))))

    # identity check and disclosure
    vmode = rng.random()
    amt = f"{rng.randint(20, 4000)}.{rng.randint(0, 99):02d}"
    disc = rng.choice(P(DISCLOSE)).format(amt=amt, last4=f"{rng.randint(1000, 9999)}", addr=rng.choice(ADDRS))
    if vmode < 0.35:
        turns.append(("agent", rng.choice(P(VERIFY))))
        turns.append(("customer", rng.choice(VERIFY_ANSWERS)))
        turns.append(("agent", "thank you, that's all verified. " + disc))
    elif vmode < 0.55:
        turns.append(("agent", disc))
        events.add("disclosure.verification_missing")
    elif vmode < 0.7:
        turns.append(("agent", rng.choice(P(VERIFY))))
        turns.append(("customer", rng.choice(VERIFY_ANSWERS)))
    turns.append(("customer", rng.choice(P(CUSTOMER_FILLERS))))

    # conduct
    kind = rng.choices(["guarantee", "pressure", "abuse", "none"], [3, 3, 3, 2])[0]
    positive = rng.random() < 0.5
    if kind == "guarantee":
        outs = P(G_OUTCOME[topic])
        o = rng.choice(outs)
        if positive:
            form = rng.random()
            if form < 0.45:
                s = f"{rng.choice(P(G_BOOST_PRE))} {o}."
            elif form < 0.75:
                s = f"{cap(o)}, {rng.choice(P(G_BOOST_POST))}"
            elif form < 0.9:
                s = rng.choice(P(G_ADVERSE)) + "."
            else:
                s = rng.choice(P(G_SELF))
            events.add("conduct.guarantee")
            turns.append(("agent", s))
        else:
            form = rng.random()
            if form < 0.25:
                s = rng.choice(P(G_HEDGE)).format(o=o) + "."
            elif form < 0.45:
                s = rng.choice(P(G_NEG)).format(o=o) + "."
            elif form < 0.6:
                s = rng.choice(P(G_COND)).format(o=o) + "."
            elif form < 0.72:
                s = rng.choice(P(G_REPORT))
            elif form < 0.85:
                s = rng.choice(P(G_CONTROL))
            else:
                s = rng.choice(P(G_PRODUCT))
            if rng.random() < 0.25:
                turns.append(("customer", rng.choice(P(G_CUSTOMER))))
            turns.append(("agent", s))
    elif kind == "pressure":
        offer = rng.choice(P(OFFERS))
        if positive:
            s = rng.choice(P(P_POS)).format(offer=offer)
            events.add("conduct.pressure")
        else:
            s = rng.choice(P(P_NEG)).format(offer=offer)
            if rng.random() < 0.25:
                turns.append(("customer", rng.choice(P(P_CUSTOMER))))
        turns.append(("agent", s))
    elif kind == "abuse":
        if positive:
            s = rng.choice(P(A_POS))
            events.add("conduct.abusive")
        else:
            s = rng.choice(P(A_NEG))
            if rng.random() < 0.3:
                turns.append(("customer", rng.choice(P(A_CUSTOMER))))
        turns.append(("agent", s))
    turns.append(("customer", rng.choice(P(CUSTOMER_FILLERS))))
    turns.append(("agent", rng.choice(P(CLOSINGS))))
    turns.append(("customer", rng.choice(P(CUSTOMER_CLOSE))))

    if channel == "email":
        # An email thread: the customer writes first, the agent answers in one message.
        body = [t for s, t in turns if s == "agent"][1:]
        cust = [t for s, t in turns if s == "customer"]
        turns = [("customer", "Hello,\n\n" + cap(cust[0]) + "\n\nThanks"),
                 ("agent", "Hi,\n\n" + " ".join(cap(b) for b in body) + "\n\nKind regards,\nCustomer Care")]
        events.discard("disclosure.recording_missing")
        # In one message, a disclosure is before the check only if it comes first in the text.
    out_turns = [{"speaker": s, "text": render(channel, s, t, rng) if channel != "email" else t}
                 for s, t in turns]
    iid = f"heldout-conduct-{half}-{idx:05d}"
    inter = {"id": iid, "channel": channel, "agent_id": f"H{rng.randint(100, 999)}",
             "started_at": f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)}T{rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}:00Z",
             "turns": out_turns}
    label = {"id": iid, "spans": [], "distractors": [],
             "events": [{"kind": k} for k in sorted(events)]}
    return inter, label


def main():
    rng = random.Random(SEED)
    files = {}
    for half in ("tune", "test"):
        rows = [conversation(i, half, rng) for i in range(N_PER_HALF)]
        files[half] = rows
        with open(os.path.join(HERE, f"conduct.{half}.jsonl"), "w") as f:
            for inter, _ in rows:
                f.write(json.dumps(inter) + "\n")
        with open(os.path.join(HERE, f"conduct.{half}.labels.jsonl"), "w") as f:
            for _, lab in rows:
                f.write(json.dumps(lab) + "\n")
    with open(os.path.join(HERE, "conduct.jsonl"), "w") as f, \
            open(os.path.join(HERE, "conduct.labels.jsonl"), "w") as g:
        for half in ("tune", "test"):
            for inter, lab in files[half]:
                f.write(json.dumps(inter) + "\n")
                g.write(json.dumps(lab) + "\n")


if __name__ == "__main__":
    main()
