#!/usr/bin/env python3
"""Single sentences of pressure and abuse in the styles other people's labelled sets use.

The issue asks that pressure and abuse be recognised in sentences written by others, not only in our
own call-centre conversations: shopping-site copy of the kinds the published dark-patterns taxonomy
names, and offensive short messages of the kind public offensive-language corpora collect. Written
here from those definitions, not from any such corpus and not from ../shared/bench/dev-2k.jsonl:

  conduct.pressure  urgency (countdowns, limited-time messages), scarcity (low stock, high demand),
                    social proof pushed at a decision (activity and popularity messages),
                    confirmshaming (an opt-out worded to shame), pressured selling
  conduct.abusive   contempt aimed at the reader: insults, belittling, profanity at them, dismissal
                    and silencing

A third of the sentences are negatives, many of them hard: the same words with no push (a sale that
ended, stock that is plentiful, "take your time"), time and quantity facts, profanity about a thing,
self-deprecation, reported insults, polite refusals and ordinary product and service text.

Each sentence is one interaction with one agent turn (chat), so the engine judges the sentence
alone. Split: pools are cut in three; even ids ("tune") draw from the first two thirds, odd ids
("test") from all, so about a third of test wordings never appear in tune.

  python3 bench/heldout/gen_conduct_sentences.py   # writes conduct-sentences{,.tune,.test}.jsonl + labels
"""
import json
import os
import random

SEED = 4242
N = 1200
HERE = os.path.dirname(os.path.abspath(__file__))

ITEMS = ["this jacket", "these headphones", "the deluxe plan", "this room", "the premium bundle",
         "this flight", "your cart", "this deal", "the blender", "this mattress", "the annual pass",
         "these sneakers", "this laptop", "the family package", "this hotel", "the starter kit"]
CITIES = ["Leeds", "Austin", "Lyon", "Porto", "Osaka", "Denver", "Cork", "Perth", "Quito", "Malmo"]

PRESSURE = {
    "countdown": [
        "Hurry! This deal ends in {n} minutes.",
        "Offer expires in 0{h}:{m}:{s}.",
        "Only {n} hours left to claim your discount!",
        "Sale ends at midnight tonight.",
        "Ends today! Get {item} before the price goes back up.",
        "Last chance to save {p}% on {item}.",
        "Your cart is reserved for the next {n} minutes, check out now.",
        "Prices go up tomorrow morning, lock in yours while you can.",
        "Flash sale: {n}:00 minutes remaining!",
        "The timer is running out on {item}.",
        "Deal of the day, gone in a few hours.",
        "Grab it before the clock hits zero!",
        "Time is almost up for this price.",
        "This price disappears at {n} pm today.",
        "Checkout within {n} minutes to keep this price.",
    ],
    "limited": [
        "Limited time offer: {p}% off {item}!",
        "For a limited time only, get {item} half price.",
        "This offer won't last, act now.",
        "Today only: free shipping on {item}.",
        "Act now before it's too late!",
        "Don't wait, this price won't be around for long.",
        "Buy now while the offer still stands.",
        "Once it's gone, it's gone for good.",
        "This is a one-time offer you won't see again.",
        "Order in the next hour to get the bonus gift.",
        "Don't miss out on {item}!",
        "Hurry, the sale is almost over.",
        "Snap it up now, tomorrow it will be too late.",
        "You need to decide right now to get this rate.",
        "Offer valid for the next {n} minutes only.",
    ],
    "stock": [
        "Only {n} left in stock!",
        "Just {n} rooms left at this price.",
        "Almost gone! Order {item} soon.",
        "Low stock: only a handful remaining.",
        "Hurry, only {n} items remaining.",
        "Selling out fast, get yours today.",
        "Few seats left on this flight, book now.",
        "Stock is running low on {item}.",
        "Last {n} available, don't let someone else take it.",
        "We only have {n} of these left and they're going quickly.",
        "Nearly sold out!",
        "There are just {n} left, so you'd better hurry.",
        "Once these {n} are gone we won't restock.",
        "Get it before it sells out.",
        "Limited stock available, order now.",
    ],
    "demand": [
        "In high demand! {n} people have {item} in their cart.",
        "{n} people are looking at this right now.",
        "Popular choice: {n} sold in the last hour.",
        "This hotel was booked {n} times today.",
        "Hot item, selling fast!",
        "{n} other shoppers are viewing {item}, book before they do.",
        "Someone in {city} just bought {item}. Don't miss yours!",
        "{n} customers bought this in the last 24 hours, join them now.",
        "Trending now: {n} people purchased {item} today.",
        "This is our most wanted item and it's flying off the shelves.",
        "Everyone is switching to {item}, don't get left behind.",
        "Over {n} thousand people already signed up, what are you waiting for?",
        "{n} people just booked this, only a few rooms left.",
        "High demand means this price may not last.",
        "Join the {n} thousand happy customers who already upgraded today.",
    ],
    "shaming": [
        "No thanks, I don't like saving money.",
        "No, I prefer paying full price.",
        "I'll pass, I don't care about my health.",
        "No thanks, I'd rather stay uninformed.",
        "Nah, I enjoy missing out on great deals.",
        "No, I don't want to protect my family.",
        "I'm fine with wasting money, thanks.",
        "Skip the discount, I like overpaying.",
        "No thanks, I'll keep being disorganized.",
        "Decline and lose your welcome bonus forever.",
        "Are you sure you want to miss out on {p}% off?",
        "Only a fool would pass up a deal like this.",
        "You'd be crazy to say no to this offer.",
        "Leaving already? Your discount will be gone for good.",
        "If you leave now you'll lose this price forever.",
    ],
}

ABUSE = {
    "insult": [
        "You are an idiot.",
        "you're such a moron",
        "What a pathetic loser you are.",
        "Shut up, you clown.",
        "You absolute muppet.",
        "Go away, you useless troll.",
        "You're a disgrace.",
        "You're a complete joke.",
        "You are the dumbest person I have ever dealt with.",
        "you ignorant fool",
        "What an imbecile.",
        "You're nothing but a parasite.",
        "listen here you little weasel",
        "You are a waste of space.",
        "Honestly you're a brainless twit.",
    ],
    "belittle": [
        "Even a child could understand this, why can't you?",
        "Try using your brain for once.",
        "Do you even know how to read?",
        "That's the dumbest question I've heard all day.",
        "Maybe ask someone smarter to explain it to you.",
        "Are you really this stupid?",
        "How thick can one person be?",
        "It's not rocket science, genius.",
        "Wow, you really can't do anything right, can you?",
        "I'll say it slowly so even you can follow.",
        "Did you get dropped on your head as a baby?",
        "Your argument is as stupid as you are.",
        "Nobody with half a brain would ask that.",
        "Learn to read before you post, clown.",
        "Congratulations on being wrong yet again.",
    ],
    "profanity": [
        "Fuck you.",
        "Screw you and your complaint.",
        "Go to hell.",
        "Piss off.",
        "you're full of shit",
        "Kiss my ass.",
        "Shut the fuck up.",
        "Get lost, asshole.",
        "Go fuck yourself.",
        "Who the hell do you think you are?",
        "Stop being such a dick.",
        "you stupid bitch",
        "Eat shit.",
        "Up yours, mate.",
        "what a bloody idiot you are",
    ],
    "dismiss": [
        "Nobody cares about your complaint.",
        "Stop whining.",
        "Not my problem, deal with it.",
        "Quit complaining and go away.",
        "Save your sob story for someone who cares.",
        "Cry me a river.",
        "Stop wasting my time.",
        "Nobody asked for your opinion.",
        "Keep your mouth shut next time.",
        "I don't have time for your nonsense.",
        "Go cry about it somewhere else.",
        "Get over yourself.",
        "Talk to the hand.",
        "Your problem, not mine.",
        "Spare me the drama.",
    ],
}

NEGATIVE = {
    "same_words_no_push": [
        "The summer sale ended last week.",
        "We have plenty of {item} in stock.",
        "Take your time, there's no rush to decide.",
        "This offer doesn't expire, so think it over.",
        "Stock levels are updated every hour.",
        "You can return {item} within 30 days.",
        "Our prices stay the same all year.",
        "The discount code is valid until the end of next month.",
        "Sleep on it and let us know whenever you're ready.",
        "There's no deadline for this plan.",
        "Many customers ask about delivery times, so here they are.",
        "The limited edition was released in 2019.",
        "We restock {item} every Monday.",
        "You can cancel at any time without a fee.",
        "No pressure at all, compare other options first.",
    ],
    "facts": [
        "Shipping takes 3 to 5 business days.",
        "Our store is open until 9 pm.",
        "The meeting ends in {n} minutes.",
        "The warranty lasts {n} years.",
        "{item} weighs about {n} kilograms.",
        "Your order number is in the confirmation email.",
        "The train to {city} leaves at {n} o'clock.",
        "We ship to {n} countries.",
        "Only members can access this page after signing in.",
        "The museum has {n} rooms on two floors.",
        "The battery lasts around {n} hours.",
        "Our support team answers within a day.",
        "The recipe serves {n} people.",
        "Please read the terms before you buy.",
        "Prices include tax.",
    ],
    "thing_or_self": [
        "This stupid printer jammed again.",
        "I feel like an idiot for forgetting my password.",
        "The damn website crashed twice today.",
        "Silly me, I typed the wrong address.",
        "What a crappy day for the weather.",
        "The bloody bus was late again.",
        "I was such a fool to lose the receipt.",
        "This update is garbage, the app keeps freezing.",
        "My old laptop is a useless piece of junk.",
        "Ugh, the traffic was hell this morning.",
        "I'm hopeless with technology, sorry.",
        "That movie was so dumb but I loved it.",
        "Damn, I missed the deadline myself.",
        "The form is confusing, not your fault.",
        "It's not your fault, the system was down.",
    ],
    "reported": [
        "He called me an idiot, which really hurt.",
        "The review said the product was rubbish.",
        "My neighbour told me to shut up, so I complained to the landlord.",
        "Someone wrote 'you are a loser' on the forum and it was removed.",
        "She said the manager was rude to her.",
        "The article quotes a fan shouting insults at the referee.",
        "In the movie, the villain calls the hero a coward.",
        "They accused him of being stupid, which was unfair.",
        "The book's title is 'Stop Whining, Start Living'.",
        "The song's chorus goes 'go away, go away'.",
        "Our policy forbids calling customers names.",
        "Please report any message that insults you.",
        "He apologised for calling me a fool.",
        "The complaint said the agent told her to stop wasting time.",
        "Swearing at staff is not tolerated in our stores.",
    ],
    "service": [
        "Thank you for your order, it will arrive on Tuesday.",
        "Could you send me a photo of the damaged box?",
        "I've refunded the delivery charge to your card.",
        "Let me know if there's anything else I can help with.",
        "Your subscription renews on the first of the month.",
        "I understand how frustrating this must be.",
        "I'm sorry about the delay, we're looking into it.",
        "The technician will call before arriving.",
        "You can change your booking online.",
        "Here is the link to reset your password.",
        "We appreciate your patience while we check.",
        "Enjoy {item} and have a great weekend!",
        "Great question, here's how it works.",
        "Please allow up to two weeks for the refund.",
        "Happy to help, have a lovely day.",
    ],
}


def pools_for(half, pools):
    out = {}
    for k, v in pools.items():
        cut = (len(v) * 2) // 3
        out[k] = v[:cut] if half == "tune" else v
    return out


def fill(t, rng):
    return t.format(n=rng.randint(2, 48), p=rng.choice([10, 15, 20, 25, 30, 40, 50, 60, 70]),
                    h=rng.randint(1, 9), m=f"{rng.randint(0, 59):02d}", s=f"{rng.randint(0, 59):02d}",
                    item=rng.choice(ITEMS), city=rng.choice(CITIES))


def style(text, rng):
    """Surface variation other writers use: case, trailing punctuation, emphasis."""
    r = rng.random()
    if r < 0.12:
        text = text.upper()
    elif r < 0.30:
        text = text[0].lower() + text[1:]
        text = text.rstrip(".!")
    elif r < 0.40:
        text = text.rstrip(".") + "!!"
    return text


def main():
    rng = random.Random(SEED)
    rows = []
    for i in range(N):
        half = "tune" if i % 2 == 0 else "test"
        r = rng.random()
        if r < 0.33:
            kind, pools = "conduct.pressure", pools_for(half, PRESSURE)
        elif r < 0.66:
            kind, pools = "conduct.abusive", pools_for(half, ABUSE)
        else:
            kind, pools = None, pools_for(half, NEGATIVE)
        cat = rng.choice(sorted(pools))
        text = style(fill(rng.choice(pools[cat]), rng), rng)
        inter = {"id": f"heldout-sentence-{half}-{i:05d}", "channel": "chat", "agent_id": f"S{rng.randint(100, 999)}",
                 "started_at": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(8, 19):02d}:00:00Z",
                 "turns": [{"speaker": "agent", "text": text}]}
        label = {"id": inter["id"], "spans": [], "distractors": [], "events": [{"kind": kind}] if kind else []}
        rows.append((half, inter, label))
    for name, keep in [("conduct-sentences", None), ("conduct-sentences.tune", "tune"), ("conduct-sentences.test", "test")]:
        sel = [(i, l) for h, i, l in rows if keep is None or h == keep]
        with open(os.path.join(HERE, name + ".jsonl"), "w") as f:
            for i, _ in sel:
                f.write(json.dumps(i) + "\n")
        with open(os.path.join(HERE, name + ".labels.jsonl"), "w") as f:
            for _, l in sel:
                f.write(json.dumps(l) + "\n")


if __name__ == "__main__":
    main()
