#!/usr/bin/env python3
"""Held-out customer-data set for the scanning engine (issue 17), written from the
principles in the issue, not from the development corpus.

  python3 bench/heldout/gen.py [N]      (default 1200 interactions; deterministic seed)

Writes bench/heldout/pii-tune.jsonl (+ .labels.jsonl) and pii-test.jsonl (+ .labels.jsonl):
the same generator split in two halves by interaction. Tune on the first; score the second
only at the end.

Every conversation is composed from independent slots: an opening, 2-4 episodes (payment
capture, bank details, phones, names, addresses, harmless numbers), each episode assembled
from many phrasings per slot, rendered for one channel (voice: lower-case ASR style with
spoken numbers; chat; e-mail with multi-line bodies). Names come from a small hand-written
list across many cultures (no fake-data library). Labels follow ../shared/bench/README.md:
UTF-8 byte offsets per turn; hard negatives are `distractors` with `neg.*` kinds.
"""
import json
import random
import sys
from pathlib import Path

SEED = 1717
OUT = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------
# vocabularies (hand-written, many cultures; deliberately not any library's list)
FIRST = """amara bongani chiara dmitri eilidh farah gustavo hana ibrahim jelena kwame leilani
mateus nadia oluwaseun pauline quentin rosalind santiago tamsin ulrich valentina wenjun ximena
yusuf zofia anselm beatriz cormac delphine emeka fiona goran hiroshi ines jasper katarina lorenzo
marisol niamh oskar parisa radek sunita thiago ulla vikram wilhelmina yara zainab aurelio bronwen
caspian darya esperanza fenna gideon halima isidro joaquim kiri lars mehmet noor odette pilar
rashid saoirse tobias umaima veronika wanjiru xavier yevgenia zubair agnieszka benedikt cosmin
dagny elif florin giulia henrik itzel jovan kalani ludmila marek nkechi orla priyanka rufus""".split()
LAST = """okonkwo vasquez lindqvist abernathy nakashima oyelaran castellanos mcalister petrovic
haddad szymanski fairweather achterberg delacroix mwangi rossetti kowalczyk thorsen bhattacharya
quiñones o'rourke van-der-berg ferreira oyelowo hutchinson bergström nwachukwu takahashi
albuquerque galloway ivanova kristiansen mahlangu ortega-ruiz pennington sandoval tremblay
whitcombe yamamoto zielinski ashworth brennan chowdhury dunmore eriksen fontaine gallagher
holloway iwu jankowski kilbride lombardi montgomery novak oduya prescott rahman steenkamp
tanaka ueda villanueva wainwright xu yilmaz zamora bellweather carvalho dragomir esposito""".split()
AGENTS = """kim ravi joanne marcus beth tariq lena owen sofia dev hugo maya pete nell abdul
greta luis ines tom""".split()
STREET_NAMES = """maple juniper harrow wexford linden kingfisher aldridge copperfield bramble
whitmore saltash orchard foxglove marlowe penrose tanners quarry ashby redwood calloway""".split()
ST_US = ["street", "avenue", "road", "boulevard", "lane", "drive", "court", "place", "way", "terrace"]
ST_UK = ["road", "lane", "close", "crescent", "gardens", "mews", "grove", "street", "hill", "row"]
US_TOWNS = [("springfield", "IL", "62704"), ("dayton", "OH", "45402"), ("eugene", "OR", "97401"),
            ("tucson", "AZ", "85701"), ("albany", "NY", "12207"), ("boise", "ID", "83702"),
            ("savannah", "GA", "31401"), ("madison", "WI", "53703")]
UK_TOWNS = [("leeds", "LS6 2AB"), ("bristol", "BS8 1TH"), ("norwich", "NR2 4QP"),
            ("cardiff", "CF10 3AT"), ("york", "YO1 7HH"), ("aberdeen", "AB10 1XG"),
            ("brighton", "BN1 4GH"), ("exeter", "EX4 3LS")]
DE_TOWNS = [("berlin", "10115"), ("köln", "50667"), ("leipzig", "04109"), ("münchen", "80331")]
FR_TOWNS = [("lyon", "69003"), ("lille", "59000"), ("nantes", "44000"), ("toulouse", "31000")]
AU_TOWNS = [("bondi", "NSW", "2026"), ("fitzroy", "VIC", "3065"), ("fremantle", "WA", "6160")]
CA_TOWNS = [("halifax", "NS", "B3H 1A1"), ("guelph", "ON", "N1H 3T5"), ("kelowna", "BC", "V1Y 6H2")]
COMPANIES = ["northwind energy", "bluefin mobile", "harbor mutual", "alder broadband", "kestrel bank",
             "sunrise travel", "oakline insurance"]
DIGW = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]
TENS = {2: "twenty", 3: "thirty"}
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]

R = random.Random(SEED)


def pick(xs):
    return R.choice(xs)


def cap(s):
    return " ".join(w[:1].upper() + w[1:] for w in s.split(" "))


# ---------------------------------------------------------------------------
# numbers


def luhn_complete(prefix, length):
    d = [int(c) for c in prefix]
    while len(d) < length - 1:
        d.append(R.randrange(10))
    total = 0
    for i, x in enumerate(reversed(d)):
        if i % 2 == 0:
            x *= 2
            if x > 9:
                x -= 9
        total += x
    d.append((10 - total % 10) % 10)
    return "".join(map(str, d))


def luhn_ok(s):
    total = 0
    for i, c in enumerate(reversed(s)):
        x = int(c)
        if i % 2 == 1:
            x *= 2
            if x > 9:
                x -= 9
        total += x
    return total % 10 == 0


def card_number(odd_iin=False):
    if odd_iin:
        prefix, n = pick([("9", 16), ("1", 16), ("8", 16), ("7", 16), ("62", 16), ("35", 16),
                          ("50", 18), ("60", 19), ("65", 16), ("36", 14), ("4", 13)])
    else:
        prefix, n = pick([("4", 16), ("51", 16), ("53", 16), ("55", 16), ("2221", 16), ("2720", 16),
                          ("34", 15), ("37", 15), ("6011", 16), ("4", 19)])
    return luhn_complete(prefix, n)


def group(d):
    if len(d) == 15:
        return [d[:4], d[4:10], d[10:]]
    if len(d) == 14:
        return [d[:4], d[4:10], d[10:]]
    return [d[i:i + 4] for i in range(0, len(d), 4)]


def spoken_digits(d, repeats=True):
    """'4400' -> 'four four oh oh' / 'four double oh' etc."""
    out = []
    i = 0
    zero = pick(["zero", "oh"])
    while i < len(d):
        c = d[i]
        w = zero if c == "0" else DIGW[int(c)]
        if repeats and i + 2 < len(d) and d[i + 1] == c and d[i + 2] == c and R.random() < 0.5:
            out.append("triple " + w)
            i += 3
        elif repeats and i + 1 < len(d) and d[i + 1] == c and R.random() < 0.6:
            out.append("double " + w)
            i += 2
        else:
            out.append(w)
            i += 1
    return " ".join(out)


def two_digit_words(n):
    if n < 10:
        return "oh " + DIGW[n]
    if n < 20:
        return TEENS[n - 10]
    t = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty",
         9: "ninety"}[n // 10]
    return t if n % 10 == 0 else t + " " + DIGW[n % 10]


def card_form(d, voice):
    """Render a whole card number."""
    if voice and R.random() < 0.75:
        gs = group(d)
        sep = pick([" ", " ", " uh ", " "])
        return sep.join(spoken_digits(g) for g in gs)
    style = R.random()
    gs = group(d)
    if style < 0.35:
        return " ".join(gs)
    if style < 0.55:
        return "-".join(gs)
    if style < 0.65:
        return ".".join(gs)
    return d


def digits_form(d, voice, spoken_p=0.8):
    if voice and R.random() < spoken_p:
        return spoken_digits(d)
    if voice and R.random() < 0.5:
        return " ".join(d)
    return d


def expiry_form(voice):
    m = R.randrange(1, 13)
    y = R.randrange(26, 34)
    if voice:
        return pick([
            lambda: f"{two_digit_words(m) if m >= 10 else pick(['oh ', 'zero '])+DIGW[m]} {two_digit_words(y)}",
            lambda: f"{MONTHS[m-1]} {two_digit_words(y)}",
            lambda: f"{MONTHS[m-1]} twenty {two_digit_words(y)}",
            lambda: f"{spoken_digits(f'{m:02d}', False)} slash {spoken_digits(str(y), False)}",
            lambda: f"{m:02d} {y}",
            lambda: f"{MONTHS[m-1]} of {2000+y}",
        ])()
    return pick([
        lambda: f"{m:02d}/{y}",
        lambda: f"{m:02d}/20{y}",
        lambda: f"{m}/{y}",
        lambda: f"{m:02d}-{y}",
        lambda: f"{cap(MONTHS[m-1])} 20{y}",
        lambda: f"{cap(MONTHS[m-1][:3])} {y}",
        lambda: f"{m:02d} / {y}",
    ])()


def phone_number(voice):
    """(text, has_ext)."""
    kind = R.random()
    if kind < 0.4:
        a, b, c = R.randrange(201, 990), R.randrange(201, 999), R.randrange(0, 10000)
        base = pick([f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"{a}.{b}.{c:04d}", f"+1 {a} {b} {c:04d}",
                     f"{a} {b} {c:04d}"])
        digits = f"{a}{b}{c:04d}"
    elif kind < 0.75:
        a, b = R.randrange(1000, 9999), R.randrange(100000, 999999)
        base = pick([f"0{a} {b}", f"+44 {a} {b}", f"0{a}-{b}", f"07{R.randrange(100,999)} {b}"])
        digits = "0" + str(a) + str(b)
    else:
        a, b = R.randrange(10, 99), R.randrange(1000000, 9999999)
        base = pick([f"+49 {a} {b}", f"+33 6 {R.randrange(10,99)} {R.randrange(10,99)} {R.randrange(10,99)} {R.randrange(10,99)}",
                     f"+61 4{R.randrange(10,99)} {R.randrange(100,999)} {R.randrange(100,999)}"])
        digits = base
    ext = None
    if R.random() < 0.45:
        e = str(R.randrange(2, 9999))
        ext = e
    if voice:
        d = "".join(c for c in digits if c.isdigit())
        txt = spoken_digits(d) if R.random() < 0.7 else " ".join([d[:3], d[3:6], d[6:]])
        if ext:
            txt += pick([" extension ", " ext ", " and then extension "]) + spoken_digits(ext, False)
        return txt, bool(ext)
    if ext:
        base += pick([f" x{ext}", f" ext. {ext}", f" ext {ext}", f" extension {ext}", f", ext. {ext}",
                      f" #{ext}"])
    return base, bool(ext)


def iban():
    cc, bban = pick([
        ("GB", lambda: "".join(R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + "".join(str(R.randrange(10)) for _ in range(14))),
        ("DE", lambda: "".join(str(R.randrange(10)) for _ in range(18))),
        ("FR", lambda: "".join(str(R.randrange(10)) for _ in range(23))),
        ("NL", lambda: "".join(R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + "".join(str(R.randrange(10)) for _ in range(10))),
    ])
    b = bban()
    num = "".join(str(int(c, 36)) for c in b + cc + "00")
    chk = 98 - int(num) % 97
    s = f"{cc}{chk:02d}{b}"
    return pick([s, " ".join(s[i:i + 4] for i in range(0, len(s), 4))])


def aba():
    while True:
        p = pick(["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "21", "22",
                  "26", "31", "32", "61", "63", "67"])
        d = p + "".join(str(R.randrange(10)) for _ in range(6))
        w = [3, 7, 1, 3, 7, 1, 3, 7]
        s = sum(int(c) * w[i] for i, c in enumerate(d))
        return d + str((10 - s % 10) % 10)


# ---------------------------------------------------------------------------
# turns: a turn is a list of (text, kind) pieces; kind None, "pii.*" or "neg.*"


class Conv:
    def __init__(self, cid, channel):
        self.id = cid
        self.channel = channel
        self.voice = channel == "voice"
        self.turns = []  # (speaker, [(text, kind)])
        self.solo = False  # e-mail body: no agent question before the customer's words

    def say(self, speaker, *pieces):
        ps = []
        for p in pieces:
            if isinstance(p, str):
                ps.append((p, None))
            else:
                ps.append(p)
        self.turns.append((speaker, ps))

    def render(self):
        turns, spans, negs = [], [], []
        for ti, (sp, ps) in enumerate(self.turns):
            buf = b""
            for text, kind in ps:
                if self.voice:
                    text = voice_text(text)
                enc = text.encode("utf-8")
                if kind and enc.strip():
                    # trim spaces inside the labelled piece
                    lead = len(enc) - len(enc.lstrip())
                    core = enc.strip()
                    s = len(buf) + lead
                    (spans if kind.startswith("pii.") else negs).append(
                        {"turn": ti, "start": s, "end": s + len(core), "kind": kind})
                buf += enc
            turns.append({"speaker": sp, "text": buf.decode("utf-8")})
        day = R.randrange(1, 28)
        inter = {"id": self.id, "channel": self.channel, "agent_id": f"A{R.randrange(1000, 9999)}",
                 "started_at": f"2026-0{R.randrange(1, 10)}-{day:02d}T{R.randrange(8, 20):02d}:{R.randrange(60):02d}:00Z",
                 "turns": turns}
        label = {"id": self.id, "spans": spans, "events": [], "distractors": negs}
        return inter, label


def voice_text(t):
    t = t.lower()
    for c in ",.!?;:":
        t = t.replace(c + " ", " ").replace(c + "\n", " ")
        if t.endswith(c):
            t = t[:-1]
    return t.replace("\n", " ")


def fill(c, *ps):
    """Join pieces with voice fillers sometimes."""
    return list(ps)


def P(kind, text):
    return (text, kind)


# ---------------------------------------------------------------------------
# episodes


def opening(c):
    ag = pick(AGENTS)
    co = pick(COMPANIES)
    if c.channel == "email":
        return ag
    c.say("agent", pick([f"Thanks for calling {co}, this is ", f"Hi, you're through to {co}, my name is ",
                         f"Good morning, {co}, ", f"Hello, you've reached {co}. I'm ",
                         f"{cap(co)} support, you're chatting with "]),
          P("neg.agent_name", ag if not c.voice else ag),
          pick([". How can I help?", ", what can I do for you today?", ". How may I help you?",
                " speaking, how can I help?"]))
    return ag


ASK_CARD = ["Can I take the long number on the card?", "What's the card number, please?",
            "Go ahead with the sixteen digits on the front when you're ready.",
            "Could you read me the number across the front of the card?",
            "Which card are you paying with? I'll need the full number.",
            "OK, I'm ready for the card details.", "Right, let's get the card number first.",
            "Please give me the number on your debit card.",
            "When you're ready, the digits on the front of your credit card."]
ASK_MORE = ["Mhm.", "Go on.", "OK, and the next four?", "Got it, keep going.", "Yes.", "And then?", "Uh huh.",
            "Right."]
ASK_EXP = ["And when does it expire?", "What's the expiry date?", "And the valid-to date on the front?",
           "What month and year does it run out?", "And the end date?", "What's the date on the card?",
           "When's it good until?", "And the expiration?"]
ASK_CVV = ["And the three digits on the back?", "Last thing, the security code.",
           "And the little code by the signature strip?", "What's the CVV?",
           "And the three-digit number on the reverse?", "Could you give me the card verification value?",
           "And the last three on the signature panel?", "What are the security digits?",
           "Finally the code on the back please."]
PRE_ANS = ["", "", "it's ", "sure, ", "yeah it's ", "okay ", "um ", "that's ", "let me see... ",
           "hang on, ", "right, "]
END_PAY = ["Thank you, that payment has gone through.", "Lovely, that's all processed for you.",
           "Great, the payment's been taken.", "Perfect, you're all paid up now.",
           "Thanks, that's approved."]


def ep_payment(c):
    voice = c.voice
    odd = R.random() < 0.2
    d = card_number(odd)
    # sometimes the customer opens the payment
    if R.random() < 0.3:
        c.say("customer", pick(["I'd like to pay my bill by card.", "Can I make a payment today?",
                                "I want to settle what I owe.", "I need to pay the outstanding balance."]))
    c.say("agent", pick(ASK_CARD))
    if R.random() < 0.45:
        # split over turns
        gs = group(d)
        if len(gs) == 4 and R.random() < 0.5:
            parts = [gs[0] + gs[1], gs[2] + gs[3]] if R.random() < 0.5 else gs
        else:
            parts = gs
        for k, g in enumerate(parts):
            txt = digits_form(g, voice, 0.85) if voice else pick([g, g, " ".join([g[:2], g[2:]]) if len(g) > 3 else g])
            c.say("customer", pick(PRE_ANS) if k == 0 else pick(["", "", "then ", "and ", "next is "]),
                  P("pii.card_number", txt))
            if k < len(parts) - 1:
                c.say("agent", pick(ASK_MORE))
    else:
        lead = pick(["", "", "ok it's ", "the number is ", "card number: ", "it's a visa, ", "#", "no. ",
                     "right, ", "sure — "]) if not voice else pick(PRE_ANS)
        c.say("customer", lead, P("pii.card_number", card_form(d, voice)))
    order = [0, 1] if R.random() < 0.6 else [1, 0]
    for o in order:
        if o == 0:
            c.say("agent", pick(ASK_EXP))
            if R.random() < 0.2:
                c.say("customer", pick(["hold on, I need to find it", "one sec it's in my bag", "let me check"]))
                c.say("agent", pick(["No rush.", "Take your time.", "Sure."]))
            c.say("customer", pick(PRE_ANS + ["the end date is ", "it runs out ", "good until ", ""]),
                  P("pii.card_expiry", expiry_form(voice)))
        else:
            c.say("agent", pick(ASK_CVV))
            cv = "".join(str(R.randrange(10)) for _ in range(4 if d.startswith(("34", "37")) else 3))
            c.say("customer", pick(PRE_ANS + ["on the back it says ", "the back code is "]),
                  P("pii.card_cvv", digits_form(cv, voice, 0.8)))
    if R.random() < 0.5:
        c.say("agent", pick(END_PAY), " Your confirmation number is ",
              P("neg.order_number", digits_form(str(R.randrange(100000, 99999999)), voice, 0.3)), ".")
    else:
        c.say("agent", pick(END_PAY))
    if R.random() < 0.4:
        c.say("agent", "Is there anything else?")
        c.say("customer", pick(["yes, about my order ", "also the parcel, tracking ", "and my ticket "]),
              P("neg.order_number", digits_form(str(R.randrange(10**5, 10**9)), voice, 0.5)),
              pick([" still hasn't arrived", " was never answered", ""]))


def ep_payment_volunteer(c):
    """Customer gives several card details in one turn, unprompted."""
    voice = c.voice
    d = card_number(R.random() < 0.3)
    cv = "".join(str(R.randrange(10)) for _ in range(3))
    c.say("agent", pick(["How would you like to pay?", "How do you want to pay that today?",
                         "Would you like to pay that now?"]))
    c.say("customer", pick(["card please. ", "by card. ", "yes, on my card. ", ""]),
          pick(["it's ", "number ", "the card is ", ""]), P("pii.card_number", card_form(d, voice)),
          pick([", exp ", ", expiring ", " and it expires ", ", valid till ", " - date ", " good thru "]),
          P("pii.card_expiry", expiry_form(voice)),
          pick([", cvv ", " and the code on the back is ", ", security code ", ", the 3 digits are ", " cvc "]),
          P("pii.card_cvv", digits_form(cv, voice)))
    c.say("agent", pick(END_PAY))


def ep_bank(c):
    voice = c.voice
    c.say("agent", pick(["For the direct debit I'll need your bank details.",
                         "Which account should the refund go to?",
                         "Can I take the account you want to pay from?",
                         "To set up the monthly payment I need your banking information."]))
    k = R.random()
    if k < 0.35:
        acc = "".join(str(R.randrange(10)) for _ in range(8))
        sc = f"{R.randrange(10,99)}-{R.randrange(10,99)}-{R.randrange(10,99)}"
        c.say("customer", pick(["account number ", "the account is ", "it's account ", "acct no. "]),
              P("pii.bank_account", digits_form(acc, voice)),
              pick([" and the sort code is ", ", sort code ", ", sort "]),
              P("pii.bank_account", digits_form(sc.replace("-", ""), voice) if voice else sc))
    elif k < 0.7:
        acc = "".join(str(R.randrange(10)) for _ in range(R.randrange(9, 13)))
        c.say("customer", pick(["routing number ", "the routing is ", "aba "]),
              P("pii.bank_account", digits_form(aba(), voice)),
              pick([" and checking account ", ", account ", " and the account number is ", ", acct "]),
              P("pii.bank_account", digits_form(acc, voice)))
    else:
        c.say("customer", pick(["my IBAN is ", "iban: ", "here's the iban ", "the international number is "]),
              P("pii.iban", iban()))
        return
    if R.random() < 0.3 and not c.solo:
        c.say("agent", pick(["Could you repeat the account number?", "Sorry, the account again?"]))
        acc = "".join(str(R.randrange(10)) for _ in range(8))
        c.say("customer", pick(["", "it's ", "sure "]), P("pii.bank_account", digits_form(acc, voice)))


def ep_phone(c):
    voice = c.voice
    num, _ = phone_number(voice)
    form = R.random()
    if c.solo:
        form = 0.35 + form * 0.65
    if form < 0.35:
        c.say("agent", pick(["What's the best number to reach you?", "Can I get a callback number?",
                             "Is there a phone number we can use?", "What number should the technician call?"]))
        c.say("customer", pick(["", "it's ", "you can call ", "try "]), P("pii.phone", num))
    elif form < 0.7:
        c.say("customer", P("pii.phone", num), pick([" is my work line", " is my cell", " - that's the office number",
                                                     " is the best one to call", ", that's my mobile"]))
    else:
        c.say("customer", pick(["if it drops, ring ", "otherwise try ", "you can get me on ", "I'm at "]),
              P("pii.phone", num), pick(["", " after six", " any time"]))


def person(c, middle=False):
    f, l = pick(FIRST), pick(LAST)
    if middle:
        m = R.choice("ABCDEFGHJKLMNPRSTW")
        return f"{cap(f)} {m}. {cap(l)}" if not c.voice else f"{f} {m.lower()} {l}"
    return cap(f) + " " + cap(l) if not c.voice else f + " " + l


def ep_name(c):
    voice = c.voice
    k = R.random()
    if c.solo and 0.25 <= k < 0.45:
        k = 0.5
    if k < 0.25:
        c.say("customer", pick(["Hi, ", "hello, ", "", "hey there "]),
              pick(["this is ", "my name's ", "it's ", "I'm ", "you're speaking with ", "name is "]),
              P("pii.person_name", person(c, R.random() < 0.2)),
              pick([", I'm calling about my bill", " and I have a question", " calling about a refund", ""]))
    elif k < 0.45:
        c.say("agent", pick(["Can I take your surname?", "And your last name?", "What's the last name on the account?",
                             "Who is the card holder, as printed on the card?", "And the name on the card?",
                             "Could I have your family name please?"]))
        if R.random() < 0.5:
            c.say("customer", pick(["", "it's ", "that's "]), P("pii.person_name", cap(pick(LAST)) if not voice else pick(LAST)))
        else:
            c.say("customer", pick(["", "it's ", "it should say "]), P("pii.person_name", person(c, R.random() < 0.4)))
    elif k < 0.65:
        c.say("customer", pick(["my husband ", "my wife ", "my son ", "my daughter ", "my landlord ", "my neighbour ",
                                "my colleague ", "my mother "]),
              P("pii.person_name", person(c) if R.random() < 0.6 else cap(pick(FIRST)) if not voice else pick(FIRST)),
              pick([" set up the account", " is the main holder", " called last week", " can sign for it"]))
    elif k < 0.8:
        nm = person(c)
        c.say("customer", pick(["Name: ", "Full name: ", "Account holder: ", "Name on account: "]) if not voice else
              pick(["the name is ", "full name ", "it's under "]), P("pii.person_name", nm))
    else:
        nm = pick(FIRST) if R.random() < 0.5 else pick(FIRST) + " " + pick(LAST)
        c.say("customer", pick(["ok thanks, ", "Cheers. ", "Thanks for your help. ", "Great, bye. "]),
              pick(["", "- ", "regards, ", "thanks again, "]), P("pii.person_name", nm if voice else cap(nm)))


def address(c):
    voice = c.voice
    k = R.random()
    num = str(R.randrange(1, 480))
    st = pick(STREET_NAMES)
    if k < 0.35:
        t, s, z = pick(US_TOWNS)
        parts = [f"{num} {cap(st)} {cap(pick(ST_US))}", pick(["", f"Apt {R.randrange(1,40)}"]), f"{cap(t)}, {s} {z}"]
    elif k < 0.6:
        t, pc = pick(UK_TOWNS)
        parts = [pick(["", f"Flat {R.randrange(1,12)}"]), f"{num} {cap(st)} {cap(pick(ST_UK))}", cap(t), pc if R.random() < 0.75 else ""]
    elif k < 0.72:
        t, pc = pick(DE_TOWNS)
        parts = [f"{cap(st)}straße {num}", f"{pc} {cap(t)}"]
    elif k < 0.82:
        t, pc = pick(FR_TOWNS)
        parts = [f"{num} rue des {cap(st)}s", f"{pc} {cap(t)}"]
    elif k < 0.91:
        t, s, pc = pick(AU_TOWNS)
        parts = [f"Unit {R.randrange(1,20)}/{num} {cap(st)} {pick(['St', 'Rd', 'Ave'])}", f"{cap(t)} {s} {pc}"]
    else:
        t, s, pc = pick(CA_TOWNS)
        parts = [f"{num} {cap(st)} {pick(['Street', 'Crescent', 'Drive'])}", f"{cap(t)}, {s} {pc}"]
    parts = [p for p in parts if p]
    if c.channel == "email" and R.random() < 0.6:
        return "\n".join(parts)
    return ", ".join(parts)


def ep_address(c):
    voice = c.voice
    a = address(c)
    k = R.random()
    if c.solo:
        k = 0.4 + k * 0.6
    if k < 0.4:
        c.say("agent", pick(["What's the address on the account?", "Where should we send the replacement?",
                             "Can you confirm your postal address?", "And your home address?"]))
        c.say("customer", pick(["", "it's ", "sure, ", "send it to "]), P("pii.address", a))
    elif k < 0.7:
        c.say("customer", pick(["I've moved, the new place is ", "please update it to ", "we now live at ",
                                "deliver to "]), P("pii.address", a), pick(["", " from next week", " please"]))
    else:
        c.say("customer", pick(["my address: ", "Address - ", "home is "]), P("pii.address", a))


def ep_negatives(c):
    voice = c.voice
    k = R.random()
    if k < 0.25:
        n = str(R.randrange(10**6, 10**10))
        c.say("customer", pick(["my order number is ", "the order was ", "order # ", "it's order "]),
              P("neg.order_number", digits_form(n, voice, 0.6)))
    elif k < 0.45:
        n = "".join(R.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(2)) + str(R.randrange(10**8, 10**10))
        c.say("customer", pick(["tracking says ", "the tracking number is ", "parcel ref "]), P("neg.tracking_number", n))
    elif k < 0.65:
        amt = pick([f"${R.randrange(10,2000)}.{R.randrange(100):02d}", f"£{R.randrange(10,900)}",
                    f"{R.randrange(10,400)} dollars", f"€{R.randrange(10,900)},{R.randrange(100):02d}"])
        c.say("customer", pick(["I was charged ", "the bill says ", "you took ", "it should be "]),
              P("neg.amount", amt), pick([" twice", " this month", " instead", ""]))
    elif k < 0.8:
        n = str(R.randrange(100000, 9999999))
        c.say("agent", pick(["I've opened ticket ", "Your case number is ", "Reference "]),
              P("neg.ticket_id", digits_form(n, voice, 0.4)), ".")
    else:
        d = card_number()
        c.say("agent", pick(["I can see the card ending in ", "The card on file ends in ", "Is that the one ending "]),
              P("neg.card_last4", digits_form(d[-4:], voice, 0.7)), "?")


EPISODES = [(ep_payment, 4), (ep_payment_volunteer, 1), (ep_bank, 2), (ep_phone, 2), (ep_name, 3),
            (ep_address, 2), (ep_negatives, 3)]


SOLO = [(ep_payment_volunteer, 2), (ep_bank, 2), (ep_phone, 2), (ep_name, 3), (ep_address, 3), (ep_negatives, 3)]


def conversation(i):
    channel = pick(["voice", "voice", "chat", "email"])
    c = Conv(f"heldout-pii-{i:05d}", channel)
    ag = opening(c)
    if channel == "email":
        # one customer e-mail with several items, then an agent reply
        tmp = Conv(c.id, "chat")
        tmp.solo = True
        for _ in range(R.randrange(2, 4)):
            ep = R.choices([e for e, _ in SOLO], [w for _, w in SOLO])[0]
            ep(tmp)
        pieces = [("Hello,\n\n", None)]
        for sp, ps in tmp.turns:
            if sp == "customer":
                pieces += ps + [(".\n", None)]
        nm = person(c)
        pieces += [(pick(["\nThanks,\n", "\nKind regards,\n", "\nBest,\n", "\nCheers\n", "\nSincerely,\n"]), None),
                   (nm, "pii.person_name")]
        c.turns.append(("customer", pieces))
        c.say("agent", "Dear customer,\n\nThank you for your message. ",
              pick(["We have updated your details.", "Your request is being processed."]),
              "\n\nKind regards,\n", P("neg.agent_name", cap(ag)))
        return c.render()
    for _ in range(R.randrange(2, 5)):
        ep = R.choices([e for e, _ in EPISODES], [w for _, w in EPISODES])[0]
        ep(c)
    c.say("agent", pick(["Anything else I can help with?", "Thanks for calling.", "Have a good day."]))
    return c.render()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
    halves = {"tune": ([], []), "test": ([], [])}
    for i in range(n):
        inter, label = conversation(i)
        h = halves["tune" if i % 2 == 0 else "test"]
        h[0].append(inter)
        h[1].append(label)
    for name, (inters, labels) in halves.items():
        with open(OUT / f"pii-{name}.jsonl", "w", encoding="utf-8") as f:
            for x in inters:
                f.write(json.dumps(x, ensure_ascii=False) + "\n")
        with open(OUT / f"pii-{name}.labels.jsonl", "w", encoding="utf-8") as f:
            for x in labels:
                f.write(json.dumps(x, ensure_ascii=False) + "\n")
        print(f"{name}: {len(inters)} interactions, {sum(len(l['spans']) for l in labels)} spans")


if __name__ == "__main__":
    main()
