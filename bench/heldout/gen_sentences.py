#!/usr/bin/env python3
"""Single-sentence customer-data set in the style of public labelled PII sets (issue 17), written
from the definitions of each kind, not from the development corpus and not from the engine's lists.

  python3 bench/heldout/gen_sentences.py [N]     (default 1400 sentences; deterministic seed)

Writes bench/heldout/sentences-tune.jsonl (+ .labels.jsonl) and sentences-test.jsonl (+ .labels.jsonl).
Even ids are the tune half, odd ids the test half. The tune half draws templates and names only from
the first two thirds of every pool; the test half draws from all of it, so about a third of its
wording and names never appear in tune.

Each interaction is one cased sentence (chat or e-mail), said by the customer, the way such sets
are written: "My name is X and I live at Y", names with no trigger word, addresses anywhere in the
sentence (US, UK, German, French, Canadian, Australian, some over several lines), phones in many
formats, e-mails, card numbers, IBANs, SSNs, bank accounts, dates of birth. At least 30 % are
negative sentences: ordinary prose with capitalised words, place names that are not addresses,
product and company names, dates, amounts, order and tracking numbers; some are listed as
`distractors` (neg.*) so the scorer counts hits on them. Names come from the hand-written
multicultural list below (no fake-data library, not the census lists the engine embeds).

`python3 bench/heldout/sentences.py LABELS FINDINGS CORPUS` reports recall per kind and the
falsely redacted characters per 1,000.
"""
import json
import random
import sys
from pathlib import Path

SEED = 4242
OUT = Path(__file__).resolve().parent
R = random.Random(SEED)
TUNE = True  # set per sentence: tune draws from the first two thirds of each pool


def pick(xs):
    xs = list(xs)
    if TUNE and len(xs) >= 3:
        xs = xs[: max(1, (len(xs) * 2) // 3)]
    return R.choice(xs)


# ---------------------------------------------------------------------------
# hand-written names: common English-language names next to names from many cultures
FIRST = """Emily Jacob Olivia Ethan Hannah Tyler Megan Brandon Lauren Kevin Rachel Jason Amanda Derek
Priya Arjun Mei Wei Hiroshi Yuki Sione Aroha Chinedu Ngozi Kwabena Adwoa Fatima Omar Leila Tariq
Sven Ingrid Pieter Anouk Jürgen Käthe Mateo Lucía Joaquín Camila Giovanni Francesca Andrzej Magdalena
Dmitri Oksana Nikolai Tatiana Bogdan Ioana Kemal Ayşe Ravi Deepa Anh Minh Thanh Jae-won Seo-yeon
Tomasz Zuzana Aleksander Hamid Soraya Kofi Amina Mariana Rodrigo Nadia Malik Rashida Connor Siobhan
Declan Bethany Gareth Rhiannon Callum Isla Lachlan Matilda Sarah Michael Jennifer David Linda Robert
Patricia Daniel Susan Thomas Karen Steven Nancy Brian Heather Gregory Stephanie Ryan Nicole Carlos""".split()
LAST = """Johnson Whitaker Harrington Caldwell Mitchell Patterson Sullivan Reynolds Brooks Fletcher
Gutierrez Morales Delgado Navarro Fernández Rossi Bianchi Conti Kowalski Nowak Wiśniewski Müller
Schneider Becker Hoffmann Dubois Lefèvre Moreau Girard Janssen Visser Bakker Andersson Lindgren
Nakamura Watanabe Kobayashi Nguyen Tran Pham Kim Park Choi Chen Liu Zhang Huang Patel Sharma Iyer
Reddy Khan Hussain Okafor Adeyemi Mensah Owusu Abebe Tesfaye Haddad Nasser Karimi Ahmadi Yılmaz
Demir Popescu Ionescu Horvat Novák Kuznetsov Sokolova O'Connor McKenzie Fitzgerald Llewellyn Ramsay
Thompson Anderson Martinez Robinson Clark Lewis Walker Hall Allen Wright Scott Green Baker Adams
Nelson Hill Campbell Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards Stewart
Flores Morris Murphy Rivera Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Gomez Kelly Howard""".split()
# names that are also ordinary English words: real sets contain them, they need context
WORDY_FIRST = ["Will", "May", "Grant", "Rose", "Bill", "Mark", "Summer", "Hunter", "Faith", "Hope"]
WORDY_LAST = ["Young", "Brown", "White", "Long", "Small", "Black", "Rich", "Little", "Strong"]
TITLES = ["Mr.", "Mrs.", "Ms.", "Dr.", "Miss", "Mr", "Mrs", "Dr", "Prof."]

STREETS = """Maple Oak Cedar Birch Willow Elm Pine Chestnut Hawthorn Sycamore Juniper Magnolia Aspen
Laurel Cypress Poplar Rowan Alder Hazel Linden Meadow Brook River Lake Hillside Ridge Valley Summit
Harbor Bayview Sunset Highland Forest Orchard Park Church Mill Station Bridge Queen King Victoria
Albert Windsor Kensington Clifton Ashford Fairview Greenwood Westfield Northgate Riverside Lakeview""".split()
US_SUF = ["Street", "St", "St.", "Avenue", "Ave", "Ave.", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln",
          "Drive", "Dr", "Court", "Ct", "Place", "Pl", "Way", "Terrace", "Circle", "Parkway", "Trail"]
UK_SUF = ["Road", "Street", "Lane", "Close", "Crescent", "Gardens", "Mews", "Grove", "Hill", "Row",
          "Avenue", "Drive", "Way", "Square", "Walk", "Terrace", "Place"]
US_TOWNS = [("Springfield", "IL", "62704"), ("Dayton", "OH", "45402"), ("Eugene", "OR", "97401"),
            ("Tucson", "AZ", "85701"), ("Albany", "NY", "12207"), ("Boise", "ID", "83702"),
            ("Savannah", "GA", "31401"), ("Madison", "WI", "53703"), ("Austin", "TX", "78701"),
            ("Portland", "ME", "04101"), ("Denver", "CO", "80202"), ("Raleigh", "NC", "27601"),
            ("Fresno", "CA", "93721"), ("Omaha", "NE", "68102"), ("Tampa", "FL", "33602")]
UK_TOWNS = [("Leeds", "LS6 2AB"), ("Bristol", "BS8 1TH"), ("Norwich", "NR2 4QP"), ("Cardiff", "CF10 3AT"),
            ("York", "YO1 7HH"), ("Aberdeen", "AB10 1XG"), ("Brighton", "BN1 4GH"), ("Exeter", "EX4 3LS"),
            ("London", "SW1A 2AA"), ("Manchester", "M1 1AE"), ("Glasgow", "G2 3BZ"), ("Oxford", "OX1 2JD")]
DE_STREETS = ["Lindenstraße", "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Goethestraße",
              "Am Markt", "Kirchgasse", "Rosenweg", "Berliner Allee", "Parkstraße", "Mühlenweg"]
DE_TOWNS = [("Berlin", "10115"), ("Köln", "50667"), ("Leipzig", "04109"), ("München", "80331"),
            ("Hamburg", "20095"), ("Dresden", "01067"), ("Stuttgart", "70173"), ("Bremen", "28195")]
FR_STREETS = ["rue des Lilas", "avenue Victor Hugo", "boulevard Voltaire", "rue de la Paix", "allée des Pins",
              "rue du Moulin", "place de la République", "chemin des Vignes", "rue Saint-Jacques"]
FR_TOWNS = [("Lyon", "69003"), ("Lille", "59000"), ("Nantes", "44000"), ("Toulouse", "31000"),
            ("Paris", "75011"), ("Bordeaux", "33000"), ("Marseille", "13001")]
CA_TOWNS = [("Halifax", "NS", "B3H 1A1"), ("Guelph", "ON", "N1H 3T5"), ("Kelowna", "BC", "V1Y 6H2"),
            ("Toronto", "ON", "M5V 2T6"), ("Calgary", "AB", "T2P 1J9"), ("Winnipeg", "MB", "R3C 0V8")]
AU_TOWNS = [("Bondi", "NSW", "2026"), ("Fitzroy", "VIC", "3065"), ("Fremantle", "WA", "6160"),
            ("Newtown", "NSW", "2042"), ("Toowong", "QLD", "4066"), ("Glenelg", "SA", "5045")]
UNITS = ["Apt 4B", "Apt. 12", "Unit 3", "Suite 210", "Flat 2", "#5", "Apartment 7C"]
MAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.co.uk", "web.de", "orange.fr", "proton.me",
                "icloud.com", "example.org", "mail.com"]


# ---------------------------------------------------------------------------
# values
def person(allow_wordy=True):
    """A name as written in a sentence: first last, first only, title + last, first + initial + last."""
    r = R.random()
    f = pick(FIRST)
    l = pick(LAST)
    if allow_wordy and R.random() < 0.08:
        f = R.choice(WORDY_FIRST)
    if allow_wordy and R.random() < 0.06:
        l = R.choice(WORDY_LAST)
    if r < 0.55:
        return f"{f} {l}", False
    if r < 0.72:
        return f, False
    if r < 0.84:
        return f"{f} {R.choice('ABCDEFGHJKLMNPRSTW')}. {l}", False
    return l, True  # title + surname: the title is written before the span (see name slot)


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


def card():
    prefix, n = R.choice([("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15),
                          ("6011", 16), ("35", 16), ("4", 13), ("62", 16), ("36", 14)])
    d = luhn_complete(prefix, n)
    sep = R.choice([" ", "-", "", " ", "-"])
    if n == 15:
        g = [d[:4], d[4:10], d[10:]]
    elif n == 14:
        g = [d[:4], d[4:10], d[10:]]
    else:
        g = [d[i:i + 4] for i in range(0, n, 4)]
    return sep.join(g)


def iban():
    cc, bban_len, kind = R.choice([("DE", 18, "n"), ("GB", 18, "gb"), ("FR", 23, "n"), ("NL", 14, "nl"),
                                   ("ES", 20, "n"), ("IT", 23, "it"), ("BE", 12, "n")])
    if kind == "gb":
        bban = R.choice(["NWBK", "BARC", "LOYD", "MIDL"]) + "".join(str(R.randrange(10)) for _ in range(14))
    elif kind == "nl":
        bban = R.choice(["ABNA", "RABO", "INGB"]) + "".join(str(R.randrange(10)) for _ in range(10))
    elif kind == "it":
        bban = "X" + "".join(str(R.randrange(10)) for _ in range(22))
    else:
        bban = "".join(str(R.randrange(10)) for _ in range(bban_len))
    num = "".join(str(int(c, 36)) for c in bban + cc + "00")
    check = 98 - int(num) % 97
    s = f"{cc}{check:02d}{bban}"
    if R.random() < 0.5:
        s = " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    return s


def ssn():
    a = R.choice([x for x in range(1, 900) if x != 666])
    b, c = R.randrange(1, 100), R.randrange(1, 10000)
    sep = R.choice(["-", "-", "-", " "])
    return f"{a:03d}{sep}{b:02d}{sep}{c:04d}"


def phone():
    d = lambda n: "".join(str(R.randrange(10)) for _ in range(n))
    a = str(R.randrange(2, 10)) + d(2)
    x = str(R.randrange(2, 10)) + d(2)
    f = R.choice([
        lambda: f"({a}) {x}-{d(4)}", lambda: f"{a}-{x}-{d(4)}", lambda: f"{a}.{x}.{d(4)}",
        lambda: f"+1 {a} {x} {d(4)}", lambda: f"+1-{a}-{x}-{d(4)}", lambda: f"1-{a}-{x}-{d(4)}",
        lambda: f"{a} {x} {d(4)}", lambda: f"+44 20 {d(4)} {d(4)}", lambda: f"07{d(3)} {d(6)}",
        lambda: f"+44 7{d(3)} {d(6)}", lambda: f"+49 30 {d(7)}", lambda: f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}",
        lambda: f"0{R.randrange(2, 9)} {d(4)} {d(4)}", lambda: f"+61 4{d(2)} {d(3)} {d(3)}",
        lambda: f"({a}) {x}-{d(4)} ext. {d(3)}", lambda: f"{a}-{x}-{d(4)} x{d(2)}",
    ])
    return f()


def email():
    f = pick(FIRST).lower()
    l = pick(LAST).lower().replace(" ", "").replace("'", "")
    local = R.choice([f"{f}.{l}", f"{f}{l}", f"{f[0]}{l}", f"{f}_{l}{R.randrange(10, 99)}", f"{l}.{f}",
                      f"{f}{R.randrange(1970, 2005)}"])
    local = local.encode("ascii", "ignore").decode() or "user"
    return f"{local}@{R.choice(MAIL_DOMAINS)}"


def house():
    return str(R.choice([R.randrange(1, 99), R.randrange(100, 999), R.randrange(1000, 9999)]))


def address():
    """(text, layout) — the whole address is one span; `\\n` layouts are multi-line."""
    lay = R.choice(["us", "us", "us", "uk", "uk", "de", "fr", "ca", "au", "us_nl", "uk_nl"])
    st = R.choice(STREETS)
    if lay in ("us", "us_nl"):
        t, s, z = R.choice(US_TOWNS)
        line1 = f"{house()} {st} {R.choice(US_SUF)}"
        if R.random() < 0.2:
            line1 += f", {R.choice(UNITS)}"
        if lay == "us_nl":
            return f"{line1}\n{t}, {s} {z}"
        r = R.random()
        if r < 0.6:
            return f"{line1}, {t}, {s} {z}"
        if r < 0.8:
            return f"{line1}, {t} {s} {z}"
        return f"{line1}, {t}, {s}"
    if lay in ("uk", "uk_nl"):
        t, pc = R.choice(UK_TOWNS)
        line1 = f"{house()} {st} {R.choice(UK_SUF)}"
        if R.random() < 0.15:
            line1 = f"Flat {R.randrange(1, 20)}, {line1}"
        if lay == "uk_nl":
            return f"{line1}\n{t}\n{pc}"
        return f"{line1}, {t} {pc}" if R.random() < 0.6 else f"{line1}, {t}, {pc}"
    if lay == "de":
        t, pc = R.choice(DE_TOWNS)
        return f"{R.choice(DE_STREETS)} {R.randrange(1, 120)}, {pc} {t}"
    if lay == "fr":
        t, pc = R.choice(FR_TOWNS)
        return f"{R.randrange(1, 150)} {R.choice(FR_STREETS)}, {pc} {t}"
    if lay == "ca":
        t, p, pc = R.choice(CA_TOWNS)
        return f"{house()} {st} {R.choice(['Street', 'Avenue', 'Road', 'Drive', 'Crescent'])}, {t}, {p} {pc}"
    t, s, pc = R.choice(AU_TOWNS)
    return f"{R.randrange(1, 300)} {st} {R.choice(['Street', 'Road', 'Parade', 'Avenue', 'Terrace'])}, {t} {s} {pc}"


def dob():
    y, m, d = R.randrange(1940, 2005), R.randrange(1, 13), R.randrange(1, 29)
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    return R.choice([f"{months[m - 1]} {d}, {y}", f"{d} {months[m - 1]} {y}", f"{m:02d}/{d:02d}/{y}",
                     f"{y}-{m:02d}-{d:02d}", f"{d}.{m}.{y}"])


def account():
    return "".join(str(R.randrange(10)) for _ in range(R.choice([8, 10, 12])))


# ---------------------------------------------------------------------------
# sentence assembly: a template is a list of str and (kind, value) parts
class S:
    def __init__(self):
        self.buf = b""
        self.spans = []
        self.dis = []

    def add(self, part):
        if isinstance(part, str):
            self.buf += part.encode()
        else:
            kind, val = part
            s = len(self.buf)
            self.buf += val.encode()
            (self.dis if kind.startswith("neg.") else self.spans).append(
                {"turn": 0, "start": s, "end": len(self.buf), "kind": kind})


def N(allow_wordy=True):
    """A name slot (titles before surnames stay outside the span)."""
    v, surname_only = person(allow_wordy)
    if surname_only:
        return [R.choice(TITLES) + " ", ("pii.person_name", v)]
    return [("pii.person_name", v)]


def A():
    return [("pii.address", address())]


def P():
    return [("pii.phone", phone())]


def E():
    return [("pii.email", email())]


def C():
    return [("pii.card_number", card())]


def I():
    return [("pii.iban", iban())]


def SSN():
    return [("pii.ssn", ssn())]


def DOB():
    return [("pii.date_of_birth", dob())]


def ACC():
    return [("pii.bank_account", account())]


# Templates per kind, written from what each kind is (many wordings, trigger or none).
NAME_T = [
    lambda: ["My name is ", *N(), "."],
    lambda: ["Hi, I'm ", *N(), " and I have a question about my bill."],
    lambda: [*N(), " called yesterday about the refund."],
    lambda: ["Please send it to ", *N(), "."],
    lambda: ["I spoke with ", *N(), " on Monday and she said it was fixed."],
    lambda: ["Can you ask ", *N(), " to call me back?"],
    lambda: [*N(), " is my husband and he is also on the account."],
    lambda: ["The account holder is ", *N(), "."],
    lambda: ["Thanks, ", *N()],
    lambda: ["According to ", *N(), ", the parcel left the warehouse last week."],
    lambda: ["I'm writing on behalf of my mother, ", *N(), "."],
    lambda: ["Please put the order under ", *N(), "."],
    lambda: [*N(), " and ", *N(), " will both need access."],
    lambda: ["Yesterday ", *N(), " told me the discount would be applied."],
    lambda: ["This is ", *N(), ", following up on my complaint."],
    lambda: ["Kind regards, ", *N()],
    lambda: ["The form was signed by ", *N(), " in March."],
    lambda: ["Dear ", *N(), ", thank you for your patience."],
    lambda: ["You can leave the keys with ", *N(), " next door."],
    lambda: ["My daughter ", *N(), " ordered it for me."],
    lambda: [*N(), " was very helpful on the phone."],
    lambda: ["I would like to add ", *N(), " as an authorised user."],
    lambda: ["Name: ", *N()],
    lambda: ["Could you cancel the subscription for ", *N(), "?"],
    lambda: ["It was ", *N(), " who opened the ticket, not me."],
    lambda: ["Please address the letter to ", *N(), "."],
    lambda: ["Both ", *N(), " and I live at the same address."],
    lambda: ["Our landlord, ", *N(), ", never received the notice."],
    lambda: ["I met ", *N(), " at the branch and she helped me."],
    lambda: ["The package was delivered to ", *N(), " instead of me."],
    lambda: ["Is ", *N(), " still the contact person for this case?"],
    lambda: [*N(), " here, just checking on my order."],
    lambda: ["My colleague ", *N(), " will send the documents."],
    lambda: ["Cheers, ", *N()],
    lambda: ["Last week ", *N(), " renewed the policy online."],
    lambda: ["Hello, this message is for ", *N(), "."],
]
ADDR_T = [
    lambda: ["I live at ", *A(), "."],
    lambda: ["Please ship it to ", *A(), "."],
    lambda: ["My new address is ", *A(), "."],
    lambda: [*A(), " is where the package should go."],
    lambda: ["The office moved to ", *A(), " last year."],
    lambda: ["Send the invoice to ", *A(), " please."],
    lambda: ["We used to live at ", *A(), " before we moved."],
    lambda: ["Our house at ", *A(), " was damaged in the storm."],
    lambda: ["Deliver to:\n", *A()],
    lambda: ["The technician should come to ", *A(), " on Friday."],
    lambda: ["Can you update my billing address to ", *A(), "?"],
    lambda: ["I'm at ", *A(), " until the end of the month."],
    lambda: ["The bill was sent to the old flat, ", *A(), ", by mistake."],
    lambda: ["Return address: ", *A()],
    lambda: ["Drop it off at ", *A(), " after 5pm."],
    lambda: ["Mail goes to ", *A(), "."],
    lambda: ["My parents' place, ", *A(), ", has the same problem."],
    lambda: [*A()],
    lambda: ["Nobody was home at ", *A(), " when the courier came."],
    lambda: ["The meter is at ", *A(), ", behind the garage."],
]
PHONE_T = [
    lambda: ["Call me at ", *P(), "."],
    lambda: ["My number is ", *P(), "."],
    lambda: [*P(), " is my cell."],
    lambda: ["You can reach me on ", *P(), " after six."],
    lambda: ["Text ", *P(), " when you arrive."],
    lambda: ["Please update my phone to ", *P(), "."],
    lambda: ["My work line is ", *P(), ", ask for accounts."],
    lambda: ["If I'm not there, try ", *P(), "."],
    lambda: ["Phone: ", *P()],
    lambda: ["I tried calling from ", *P(), " but nobody answered."],
    lambda: ["The best number to reach me is ", *P(), "."],
    lambda: ["Contact: ", *P()],
    lambda: ["Ring ", *P(), " tomorrow morning."],
    lambda: ["Call ", *P(), " for the landlord."],
]
EMAIL_T = [
    lambda: ["My email is ", *E(), "."],
    lambda: ["Send the receipt to ", *E(), " please."],
    lambda: [*E(), " is my new email address."],
    lambda: ["You can write to me at ", *E(), "."],
    lambda: ["Email: ", *E()],
    lambda: ["Please cc ", *E(), " on the reply."],
    lambda: ["I never got the link at ", *E(), "."],
    lambda: ["Change my login to ", *E(), "."],
]
CARD_T = [
    lambda: ["My card number is ", *C(), "."],
    lambda: ["Please charge ", *C(), "."],
    lambda: [*C(), " is the card I want to use."],
    lambda: ["I paid with the Visa ", *C(), " last month."],
    lambda: ["Use card ", *C(), " for the order."],
    lambda: ["Card: ", *C()],
    lambda: ["The credit card ", *C(), " was charged twice."],
    lambda: ["Can you refund it to ", *C(), "?"],
    lambda: ["Here is my Mastercard: ", *C()],
    lambda: ["Put it on ", *C(), ", expiry next year."],
    lambda: ["The number on my debit card is ", *C(), "."],
    lambda: ["I want to remove ", *C(), " from my account."],
]
IBAN_T = [
    lambda: ["My IBAN is ", *I(), "."],
    lambda: ["Please transfer the refund to ", *I(), "."],
    lambda: [*I(), " is my account."],
    lambda: ["IBAN: ", *I()],
    lambda: ["Pay it into ", *I(), " please."],
    lambda: ["The direct debit should come from ", *I(), "."],
    lambda: ["Wire the money to ", *I(), " by Friday."],
]
SSN_T = [
    lambda: ["My social security number is ", *SSN(), "."],
    lambda: ["SSN: ", *SSN()],
    lambda: [*SSN(), " is my social."],
    lambda: ["My SSN is ", *SSN(), "."],
    lambda: ["The form asks for my social, which is ", *SSN(), "."],
    lambda: ["Use ", *SSN(), " to verify me."],
]
DOB_T = [
    lambda: ["I was born on ", *DOB(), "."],
    lambda: ["My date of birth is ", *DOB(), "."],
    lambda: ["DOB: ", *DOB()],
    lambda: ["My birthday is ", *DOB(), "."],
]
ACC_T = [
    lambda: ["My account number is ", *ACC(), "."],
    lambda: ["The checking account number is ", *ACC(), "."],
    lambda: ["Please debit account ", *ACC(), "."],
    lambda: ["Bank account: ", *ACC()],
]
COMBO_T = [
    lambda: ["My name is ", *N(), " and I live at ", *A(), "."],
    lambda: ["I'm ", *N(), ", my number is ", *P(), "."],
    lambda: ["Please send it to ", *N(), " at ", *A(), "."],
    lambda: [*N(), ", ", *E(), ", ", *P()],
    lambda: ["Contact ", *N(), " on ", *P(), " or at ", *E(), "."],
    lambda: ["The card ", *C(), " belongs to ", *N(), "."],
    lambda: [*N(), "\n", *A()],
    lambda: ["My name is ", *N(), " and my SSN is ", *SSN(), "."],
    lambda: ["Please ship to ", *A(), " and call ", *P(), " on arrival."],
    lambda: ["Account holder ", *N(), ", IBAN ", *I(), "."],
]

# negatives: ordinary sentences with capitalised words, places, products, dates, amounts, numbers
CITY = ["Chicago", "Denver", "Paris", "Berlin", "Toronto", "Sydney", "Lisbon", "Osaka", "Nairobi", "Lima",
        "Boston", "Madrid", "Dublin", "Vancouver", "Melbourne", "Houston"]
PRODUCT = ["iPhone 15 Pro", "Galaxy S24", "Kindle Paperwhite", "PlayStation 5", "Surface Laptop",
           "Pixel 8", "MacBook Air", "Echo Dot", "ThinkPad X1", "Roomba j7"]
COMPANY = ["Apple", "Microsoft", "Amazon", "Ford", "Dell", "Wells Fargo", "Johnson & Johnson", "Goldman Sachs",
           "Walmart", "Procter & Gamble", "Marks & Spencer", "Ben & Jerry's", "Tesla", "Boeing", "Netflix"]
PLACE = ["Lincoln Park", "Central Park", "Union Square", "Victoria Station", "Hyde Park", "Main Street Mall",
         "Lake Tahoe", "Mount Rainier", "Washington Square", "King's Cross", "Penn Station", "Grand Central"]
DAY = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MON = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
       "November", "December"]


def amount():
    return R.choice(["$", "£", "€"]) + f"{R.randrange(5, 2000)}.{R.randrange(100):02d}"


def ordno():
    return R.choice([f"#{R.randrange(10000, 999999)}", f"ORD-{R.randrange(100000, 9999999)}",
                     f"{R.randrange(100000000, 999999999)}"])


def tracking():
    return R.choice([f"1Z{R.randrange(10**15, 10**16)}", f"TBA{R.randrange(10**11, 10**12)}",
                     f"{R.randrange(10**11, 10**12)}"])


def date():
    return R.choice([f"{R.choice(MON)} {R.randrange(1, 29)}", f"{R.randrange(1, 13):02d}/{R.randrange(1, 29):02d}/2026",
                     f"{R.randrange(1, 29)} {R.choice(MON)} 2026", f"2026-{R.randrange(1, 13):02d}-{R.randrange(1, 29):02d}"])


NEG_T = [
    lambda: [f"The meeting with Marketing is on {R.choice(DAY)} at 3 pm."],
    lambda: [f"We flew from {R.choice(CITY)} to {R.choice(CITY)} in {R.choice(MON)}."],
    lambda: ["Order ", ("neg.order_number", ordno()), f" shipped on {date()} for {amount()}."],
    lambda: [f"The new {R.choice(PRODUCT)} costs {amount()}."],
    lambda: [f"{R.choice(COMPANY)} and {R.choice(COMPANY)} reported earnings on {R.choice(DAY)}."],
    lambda: [f"{R.choice(PLACE)} is beautiful in the fall."],
    lambda: ["Will you send the report before the end of the day?"],
    lambda: ["May I ask why the price went up?"],
    lambda: ["Grant access to the shared folder for the whole team."],
    lambda: ["Your tracking number is ", ("neg.order_number", tracking()), "."],
    lambda: [f"I bought a {R.choice(PRODUCT)} at the {R.choice(CITY)} store."],
    lambda: [f"The {R.choice(COMPANY)} app crashed again after the update."],
    lambda: [f"Ticket ", ("neg.order_number", str(R.randrange(10000, 99999))), " is still open."],
    lambda: [f"Our flight to {R.choice(CITY)} was delayed by {R.randrange(2, 9)} hours."],
    lambda: [f"The refund of {amount()} should arrive within 5 business days."],
    lambda: [f"Christmas Eve falls on a {R.choice(DAY)} this year."],
    lambda: [f"I saw the ad on Facebook and the price was {amount()}."],
    lambda: [f"Is the {R.choice(CITY)} branch open on Easter Monday?"],
    lambda: ["Mark the invoice as paid, please."],
    lambda: ["Bill me at the end of the month instead."],
    lambda: [f"The {R.choice(PRODUCT)} arrived with a cracked screen."],
    lambda: [f"We stayed near {R.choice(PLACE)} during the conference."],
    lambda: [f"Please review the Terms and Conditions before {date()}."],
    lambda: [f"Customer Service said the Premium Plan includes Netflix."],
    lambda: [f"The train from {R.choice(CITY)} leaves at 9:45 from platform {R.randrange(1, 12)}."],
    lambda: ["My card ending in ", ("neg.card_last4", str(R.randrange(1000, 9999))), " was declined."],
    lambda: [f"I have been a Gold Member since {R.randrange(2001, 2024)}."],
    lambda: [f"The Annual Report for {R.randrange(2019, 2026)} is attached."],
    lambda: ["Rose Garden tickets are sold out for the weekend."],
    lambda: [f"The package went to the {R.choice(CITY)} depot by mistake."],
    lambda: [f"Invoice INV-{R.randrange(1000, 99999)} for {amount()} is overdue."],
    lambda: [f"Summer Sale prices end on {R.choice(DAY)}."],
    lambda: [f"Can I upgrade from the Basic Plan to the Family Plan?"],
    lambda: [f"The Wi-Fi in the {R.choice(CITY)} office keeps dropping."],
    lambda: [f"Apple Pay and Google Pay both failed at checkout."],
    lambda: ["Young people get a 20% discount with a student card."],
    lambda: [f"The Department of Motor Vehicles closes at 4 pm on {R.choice(DAY)}s."],
    lambda: [f"We ordered {R.randrange(2, 40)} units of model X{R.randrange(100, 999)} last quarter."],
    lambda: [f"Hunter boots are back in stock in {R.choice(CITY)}."],
    lambda: [f"I am calling about the outage in North {R.choice(CITY)}."],
    lambda: [f"The Supreme Court ruled on the case in {R.choice(MON)}."],
    lambda: ["Your confirmation code is ", ("neg.order_number", f"{R.randrange(100000, 999999)}"), "."],
    lambda: [f"Thanks again, the Support Team was great."],
    lambda: [f"Please reset my password, I can't log in to the Portal."],
    lambda: [f"The Harbor Bridge was closed so the delivery was late."],
    lambda: [f"Lincoln Memorial and Union Station were on our tour."],
]

KINDS = [(NAME_T, 26), (ADDR_T, 17), (PHONE_T, 9), (EMAIL_T, 5), (CARD_T, 9), (IBAN_T, 5), (SSN_T, 5),
         (DOB_T, 3), (ACC_T, 3), (COMBO_T, 18)]


def sentence(i):
    global TUNE
    TUNE = i % 2 == 0
    s = S()
    neg = R.random() < 0.34
    if neg:
        parts = pick(NEG_T)()
    else:
        pools = [p for p, _ in KINDS]
        pool = R.choices(pools, [w for _, w in KINDS])[0]
        parts = pick(pool)()
    for p in parts:
        s.add(p)
    text = s.buf.decode()
    iid = f"heldout-sent-{i:05d}"
    chan = R.choice(["chat", "chat", "email"])
    inter = {"id": iid, "channel": chan, "agent_id": f"A{R.randrange(1000, 9999)}",
             "started_at": f"2026-0{R.randrange(1, 10)}-{R.randrange(10, 29)}T{R.randrange(8, 18):02d}:00:00Z",
             "turns": [{"speaker": "customer", "text": text}]}
    label = {"id": iid, "spans": s.spans, "events": [], "distractors": s.dis}
    return inter, label


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1400
    halves = {"tune": ([], []), "test": ([], [])}
    for i in range(n):
        inter, label = sentence(i)
        h = halves["tune" if i % 2 == 0 else "test"]
        h[0].append(inter)
        h[1].append(label)
    for name, (inters, labels) in halves.items():
        with open(OUT / f"sentences-{name}.jsonl", "w", encoding="utf-8") as f:
            for x in inters:
                f.write(json.dumps(x, ensure_ascii=False) + "\n")
        with open(OUT / f"sentences-{name}.labels.jsonl", "w", encoding="utf-8") as f:
            for x in labels:
                f.write(json.dumps(x, ensure_ascii=False) + "\n")
        negs = sum(1 for l in labels if not l["spans"])
        print(f"{name}: {len(inters)} sentences, {sum(len(l['spans']) for l in labels)} spans, "
              f"{negs} negative ({100 * negs / len(labels):.0f} %)")


if __name__ == "__main__":
    main()
