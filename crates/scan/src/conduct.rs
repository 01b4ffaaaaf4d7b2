//! Conduct and disclosures recognised by their function, not by a sentence.
//!
//! A phrase list catches the sentences it was written from. Here each event is
//! defined by what the words *do*, and detected by composing word categories
//! inside a sentence (or a clause: a sentence cut at "but", "however", ...):
//!
//! * **guarantee**: an unconditional assurance about an outcome the agent does
//!   not control. A certainty marker (booster: "guarantee", "definitely", "100
//!   percent", "I promise", "rest assured", ...) near an outcome (approval,
//!   refund, delivery, price, rate, credit score, ...); or an adverse outcome
//!   denied ("there's no way you'll be declined"); or "you will be approved"; or
//!   a self-contained assurance ("risk free", "can't lose"). Cancelled by a
//!   negated booster ("I can't promise"), a hedge ("might", "should",
//!   "probably", "I'll try"), a condition on the outcome ("if it's approved"),
//!   reported speech or quotation ("the website says ..."), a question, and by
//!   the agent committing to an action of their own ("I'll definitely submit
//!   the refund request" is a commitment, not a guarantee).
//! * **pressure**: a push to decide before the customer is ready, after the
//!   categories of the dark-patterns taxonomy: urgency (an expiry or hold limit
//!   with a near time; deciding now with a "need to"), scarcity ("only two
//!   left"), loss framing ("if you hang up the price goes up", "you'll miss
//!   out"), social proof with a decision ("everyone is switching"),
//!   confirmshaming ("you'd be crazy to pass", or an opt-out worded as wanting a
//!   loss: "no thanks, I like paying full price"), refusing time to think ("no
//!   need to talk it over"), activity notifications (others buying or looking
//!   right now: "12 people have this in their basket"), countdowns ("ends in
//!   04:12:09") and an order to decide now ("book today"). An expiry counts only
//!   when what expires is something to get (an offer, a price, "it"), not any
//!   event ("the meeting ends in ten minutes"). Relief in the same clause ("no
//!   rush", "take your time") and negation ("the offer doesn't expire") cancel it.
//! * **abuse**: contempt aimed at the customer. Insult nouns; insulting
//!   adjectives aimed by their syntax ("you're so dense", "a stupid question",
//!   "how slow can you be"); profanity aimed at the customer (second person or
//!   an order) but not about a thing ("this damn printer"); dismissal and
//!   silencing ("not my problem", "stop whining", "I haven't got all day",
//!   "nobody asked"), and rhetorical insults about "anyone" ("how dense can anyone
//!   be"). Negation ("it's not your fault"), self-reference ("silly me", "I don't
//!   care about my lunch"), reported words and quotation, in double or single
//!   quotes, cancel.
//! * **recording notice** (helper): telling the customer the call is captured:
//!   "recorded", "monitored", a purpose ("for quality and training") or a
//!   capture verb with the call as object ("calls are reviewed").
//! * **verification** (helper): asking for an identifier (date of birth,
//!   postcode, last four digits, passcode, security question, ...) or naming
//!   the check ("confirm your identity", "make sure I'm speaking to the account
//!   holder").
//!
//! Lexicons are phrase lists in the pack's phrase syntax, matched on the same
//! normalised words as the rules (one hash lookup per word). Each finding is
//! explained by the byte range of the words that triggered it.

use crate::empathy::Empathy;
use crate::rules::Norm;
use crate::words::{key, FnvBuild};
use std::collections::HashMap;

/// A function a rule can detect (`detector = "..."` in a pack).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// Unconditional assurance about an outcome the agent does not control.
    Guarantee,
    /// A push to decide before the customer is ready.
    Pressure,
    /// Contempt aimed at the customer.
    Abuse,
    /// The customer is told the call is recorded or monitored.
    RecordingNotice,
    /// The agent checks the caller's identity.
    Verification,
    /// The agent states an account detail (balance, amount owed, card or address on file).
    AccountDetail,
    /// An empathy behaviour or its trigger (see [`crate::empathy`]).
    Empathy(crate::empathy::Empathy),
}

impl Function {
    /// Names accepted in a pack.
    pub const NAMES: &'static [&'static str] = &[
        "guarantee",
        "pressure",
        "abuse",
        "recording_notice",
        "verification",
        "account_detail",
        "acknowledgement",
        "apology",
        "ownership",
        "deflection",
        "company_error",
        "customer_difficulty",
        "customer_problem",
    ];

    /// Parse a pack name.
    pub fn parse(s: &str) -> Option<Function> {
        Some(match s {
            "guarantee" => Function::Guarantee,
            "pressure" => Function::Pressure,
            "abuse" => Function::Abuse,
            "recording_notice" => Function::RecordingNotice,
            "verification" => Function::Verification,
            "account_detail" => Function::AccountDetail,
            "acknowledgement" => Function::Empathy(Empathy::Acknowledgement),
            "apology" => Function::Empathy(Empathy::Apology),
            "ownership" => Function::Empathy(Empathy::Ownership),
            "deflection" => Function::Empathy(Empathy::Deflection),
            "company_error" => Function::Empathy(Empathy::CompanyError),
            "customer_difficulty" => Function::Empathy(Empathy::Difficulty),
            "customer_problem" => Function::Empathy(Empathy::Problem),
            _ => return None,
        })
    }
}

/// Word categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum C {
    // shared
    Neg,
    Break,
    Second,
    Report,
    // guarantee
    Boost,
    NotBoost,
    Outcome,
    Adverse,
    Approval,
    Will,
    Hedge,
    Cond,
    CondTopic,
    SelfGuar,
    Control,
    FirstPerson,
    // pressure
    Urgent,
    Decide,
    Push,
    Offer,
    Expire,
    ExpireStrong,
    Scarce,
    LossStrong,
    Loss,
    IfWait,
    Social,
    /// Others buying or looking right now (an activity notification).
    Activity,
    /// An opt-out ("no thanks", "I'll pass", "skip").
    OptOut,
    /// Wanting a loss, in the first person ("I like overpaying").
    SelfHarm,
    NoThink,
    Shame,
    Relief,
    // abuse
    InsultN,
    InsultAdj,
    Target,
    ProfStrong,
    ProfMild,
    AimedProf,
    Dismiss,
    SelfRef,
    Copula,
    Imper,
    How,
    /// Someone unnamed, in place of "you" in a rhetorical insult ("how dense can one person be").
    Generic,
    // recording notice
    RecStrong,
    RecVerb,
    RecObj,
    RecPurpose,
    // verification
    IdPhrase,
    IdItem,
    IdAsk,
    // account details
    Acct,
    AcctAddr,
}

impl C {
    fn bit(self) -> u64 {
        1u64 << (self as u8)
    }
}

/// The lexicons. Words are normalised (lower case, no apostrophes: "can't" is
/// `cant`, "you'll" is `youll`); `a|b` alternatives, `*` any one word. Fillers
/// of the pack ("just", "really", "like", ...) are dropped from phrases as they
/// are from text.
const LEXICON: &[(C, &[&str])] = &[
    (
        C::Neg,
        &[
            "not", "no", "never", "cant", "cannot", "dont", "doesnt", "didnt", "wont", "wouldnt",
            "couldnt", "shouldnt", "isnt", "arent", "wasnt", "werent", "havent", "hasnt", "aint",
            "nobody", "nothing", "none", "neither", "nor", "without", "unable", "no way",
            "no chance", "zero chance", "not able", "no such thing as", "impossible",
            "not saying", "dont mean", "not blaming", "nobody is blaming", "no one is blaming",
            "not suggesting", "never said", "would never", "hardly",
        ],
    ),
    (
        C::Break,
        &["but", "however", "although", "though", "whereas", "except", "otherwise", "yet"],
    ),
    (
        C::Second,
        &["you", "your", "youre", "yourself", "yourselves", "ya", "u", "ur", "youve", "youd", "yours"],
    ),
    (
        C::Report,
        &[
            "told|asked me|us|him|her|them to", "yelled|shouted|screamed|swore at me|us|him|her|them",
            "titled", "entitled",
            "they|he|she|someone|somebody|people|agent|rep|representative|colleague|website|site|ad|advert|brochure|leaflet|letter|email|flyer|it|you|salesman|salesperson said|say|says|told|tell|claimed|claims|claim|promised|mentioned|wrote|stated|advertised|quoted",
            "was|were|been|being told", "according to", "advertised", "supposedly", "allegedly",
            "so called", "quote", "unquote", "heard that", "read that", "called me|us|him|her",
            "call me|us|him|her", "call|called|calling a|any|the customer|customers|caller|callers|person|anyone|someone",
            "call|called|calling anyone|someone|customers|you|people", "calling me|us|him|her",
        ],
    ),
    // --- guarantee --------------------------------------------------------
    (
        C::Boost,
        &[
            "guarantee", "guarantees", "guaranteed", "guaranteeing", "definitely", "definite",
            "certainly", "surely", "for sure", "for certain", "absolutely", "positively",
            "undoubtedly", "unquestionably", "undeniably", "100 percent", "hundred percent",
            "promise", "promised", "promising", "my word", "swear", "no doubt", "without a doubt",
            "beyond doubt", "no question", "without question", "rest assured", "assure",
            "assured", "count on it", "bank on it", "can count on", "can bank on",
            "take it to the bank", "trust me", "no matter what", "whatever happens",
            "come what may", "without fail", "hands down", "i bet", "you bet", "i know",
            "of course", "im sure", "i am sure", "im certain", "i am certain", "im confident",
            "i am confident", "im positive", "i am positive", "totally sure", "completely sure",
            "for a fact", "i can tell you now", "no ifs or buts", "take it from me",
            "im telling you", "i am telling you", "believe me", "mark my words", "certain",
            "a certainty", "certainty",
        ],
    ),
    (
        C::NotBoost,
        &[
            "money back guarantee", "moneyback guarantee", "satisfaction guarantee",
            "price guarantee", "price match guarantee", "price promise",
            "month guarantee", "day guarantee", "year guarantee", "lifetime guarantee",
            "guarantee covers", "under guarantee", "guarantee period", "the guarantee",
            "a guarantee", "our guarantee", "this guarantee", "that guarantee", "any guarantee",
            "no guarantee", "no guarantees", "guarantee against", "guaranteed minimum",
            "make sure", "making sure", "makes sure", "no questions asked", "i know that|how|what|its|it|this|you|your|the|how|why|where|when",
            "the promise", "a promise", "promise to",
        ],
    ),
    (
        C::Outcome,
        &[
            "refund", "refunded", "refunds", "refunding", "reimbursed", "reimbursement",
            "reimburse", "money back", "your money", "credited", "credit", "reversed",
            "reversal", "reverse", "waived", "waive", "waiver", "removed", "forgiven",
            "written off", "wiped", "cleared", "arrive", "arrives", "arriving", "arrival",
            "delivered", "delivery", "deliver", "shipped", "get there", "reach you",
            "on your doorstep", "in your hands", "receive", "received", "get it",
            "get your", "back", "price", "prices", "pricing", "rate", "rates", "interest", "apr",
            "fee", "fees", "cost", "costs", "cheaper", "cheapest", "lowest", "best deal",
            "best price", "best rate", "beat", "save", "saving", "savings", "fix", "fixed",
            "fixes", "repair", "repaired", "improve", "improved", "boost", "score", "resolved",
            "solved", "pass", "passes", "win", "succeed", "covered", "claim", "payout",
            "pay out", "paid", "compensation", "compensated", "go through", "goes through",
            "full amount", "every penny", "every cent", "in full", "the money", "returns", "get to you", "gets to you", "reach",
            "reaches", "turn up", "turns up", "show up", "shows up", "lands", "be with you",
            "be there", "come through", "comes through",
            "profit", "gain", "gains", "earn", "double", "grow", "corrected", "adjusted", "solves", "solve", "cure", "cures", "sort it", "sorts it",
            "amended", "put right", "sorted", "stop", "stops", "go away", "goes away", "disappear",
            "disappears", "in your favour", "in your favor", "decided", "go down", "goes down",
            "come down", "lower", "drop", "drops", "bill",
        ],
    ),
    (
        C::Adverse,
        &[
            "declined", "decline", "denied", "deny", "rejected", "reject", "rejection", "refused",
            "refuse", "turned down", "turn you down", "turns you down", "turn down", "turns down",
            "turn it down", "turns it down", "says no", "say no", "fail", "fails", "bounce", "bounced",
            "denial", "declining", "denying", "rejecting", "refusing", "failing", "bouncing",
            "bounce back", "go up", "goes up", "increase", "increases", "rise", "lose money",
            "lose anything",
        ],
    ),
    (
        C::Approval,
        &[
            "approved", "approve", "approval", "accepted", "qualify", "qualifies", "qualified",
            "eligible", "go through", "get through", "pass", "sail through", "accept", "accepts",
            "sign off", "signs off", "green light", "say yes", "says yes",
        ],
    ),
    (C::Will, &["will", "youll", "itll", "theyll", "gonna", "going to", "shall", "is going to"]),
    (
        C::Hedge,
        &[
            "might", "may", "maybe", "perhaps", "possibly", "possible", "probably", "probable",
            "likely", "unlikely", "should", "could", "hopefully", "hope", "i think",
            "i believe", "i guess", "i suppose", "i reckon", "try", "trying", "attempt",
            "expect", "expected", "estimate", "estimated", "approximately", "roughly",
            "usually", "typically", "normally", "generally", "often", "sometimes", "depends",
            "depending", "depend", "subject to", "pending", "good chance", "a chance", "some chance", "fair chance",
            "chances are", "cant say",
            "cannot say", "cant tell", "dont know", "not sure", "no idea", "cant confirm",
            "cannot confirm", "tend", "tends", "ideally", "fingers crossed", "aim", "aiming",
            "cant promise", "cannot promise", "not promise", "wish", "would expect", "odds",
            "in most cases", "most of the time", "as far as i know", "seems", "appears",
            "wont pretend", "not going to pretend", "cant pretend", "couldnt tell you",
            "couldnt say", "not going to promise", "not able to promise", "cant be sure",
            "cannot be sure", "cant be certain", "not certain", "wouldnt say", "no promises",
        ],
    ),
    (
        C::Cond,
        &[
            "if", "unless", "provided", "providing", "assuming", "as long as", "so long as",
            "once", "in case", "whether", "pending", "subject to", "depending on", "when",
        ],
    ),
    (
        C::CondTopic,
        &[
            "review", "reviewed", "reviews", "check", "checks", "checked", "criteria",
            "requirements", "underwriting", "underwriter", "underwriters", "bank", "lender",
            "team", "decision", "decides", "everything", "goes well", "okay", "ok", "policy",
            "verified", "confirmed", "investigation", "investigate", "assessment", "assessed",
            "finds", "agree", "agrees", "signs off",
        ],
    ),
    (
        C::SelfGuar,
        &[
            "risk free", "riskfree", "zero risk", "cant lose", "cannot lose", "can not lose",
            "cant go wrong", "cannot go wrong", "nothing can go wrong", "a sure bet", "a safe bet",
            "slam dunk", "in the bag", "a formality", "a rubber stamp", "done deal",
            "its guaranteed", "thats guaranteed", "it is guaranteed", "that is guaranteed",
            "youre guaranteed", "you are guaranteed", "guaranteed approval", "guaranteed refund",
            "guaranteed to", "nothing to worry about its approved",
        ],
    ),
    (
        C::Control,
        &[
            "process", "submit", "send", "escalate", "issue", "raise", "request", "file", "log",
            "forward", "pass it", "pass this", "call", "email", "text", "check", "look", "note",
            "flag", "put", "arrange", "book", "schedule", "help", "update", "reach out",
            "contact", "follow up", "chase", "push", "sort", "make", "get back", "ring",
            "transfer", "open", "create", "apply", "note", "mention", "ask", "speak", "talk",
            "let you know", "keep you", "review",
        ],
    ),
    (
        C::FirstPerson,
        &["i", "ill", "im", "ive", "id", "we", "were", "weve", "wed", "let me", "myself"],
    ),
    // --- pressure ---------------------------------------------------------
    (
        C::Urgent,
        &[
            "now", "right now", "today", "tonight", "immediately", "right away", "straight away",
            "this minute", "this second", "this instant", "on this call", "on the call",
            "while were on the call|phone|line", "while i have you", "before we hang up",
            "before you hang up", "before the end of the call", "before the call ends",
            "by midnight", "at midnight", "end of day", "end of the day", "close of business",
            "end of today", "in the next * minutes|hours|mins", "next * minutes|hours|mins",
            "within the hour", "within * minutes|hours", "in * minutes|mins", "soon", "shortly",
            "quickly", "fast", "asap", "hurry", "before its too late", "before its gone",
            "before they go", "before it goes", "at once", "tomorrow", "this very moment",
            "in an hour", "this afternoon", "this evening", "this morning", "on the spot",
            "before i let you go", "before you go", "right here", "here and now", "minutes left", "minutes before", "hours left", "hours before", "minutes to decide",
            "hours to decide", "minutes remaining", "hours remaining",
        ],
    ),
    (
        C::Decide,
        &[
            "check out", "checkout", "get yours", "book yours", "reserve",
            "decide", "deciding", "decision", "make up your mind", "make your mind up", "sign", "signing", "signup",
            "sign up", "commit", "buy", "purchase", "order", "lock", "lock in", "grab",
            "snap up", "take it", "take the offer", "take this", "take the deal",
            "take advantage", "accept", "agree", "say yes", "go ahead", "book", "enroll",
            "enrol", "register", "switch", "switching", "upgrade", "answer", "act", "move",
            "jump on", "join", "subscribe", "secure", "claim", "get it", "choose", "chose",
            "pick", "go for", "proceed", "commit", "confirm", "do it", "do this", "switched",
            "signed", "signed up", "bought", "upgraded", "joined", "moved", "taken", "grabbed",
            "snapped up", "locked in", "gone for", "went for", "ordered", "booked", "chosen",
        ],
    ),
    (
        C::Push,
        &[
            "need", "needs", "have to", "has to", "must", "gotta", "got to", "better", "should",
            "ought", "want you to", "need you to", "require", "required", "its time to",
            "going to have to", "lets", "let us", "youll want to", "you want to", "please",
            "i need", "need to",
        ],
    ),
    (
        C::Offer,
        &[
            "offer", "deal", "price", "pricing", "rate", "discount", "promotion", "promo",
            "special", "saving", "savings", "spot", "place", "places", "seat", "seats", "slot",
            "slots", "bundle", "package", "bonus", "upgrade", "this", "it", "plan", "quote",
            "sale", "flash sale", "cart", "basket", "stock", "room", "rooms", "tickets",
        ],
    ),
    (
        C::Expire,
        &[
            "running out",
            "expire", "expires", "expiring", "ends", "gone", "goes away",
            "go away", "disappear", "disappears", "vanish", "vanishes", "run out", "runs out",
            "withdrawn", "pulled", "lapse", "lapses", "closes", "closing", "cut off", "cutoff",
            "deadline", "no longer available", "wont be available", "will not be available",
            "wont be there", "wont be around", "revert", "reverts", "back up", "finishes",
            "stops", "disappeared", "runs out", "remaining",
        ],
    ),
    (
        C::ExpireStrong,
        &[
            "time is running out", "times running out", "time is almost up", "times almost up",
            "time is nearly up", "timer is running out", "timer runs out", "before the timer",
            "before time runs out", "clock hits zero", "before the clock",
            "wont last", "will not last", "cant hold", "cannot hold", "can only hold",
            "only hold", "only keep", "cant keep", "can only keep", "only good", "only valid",
            "only available", "only until", "only lasts", "only for today", "clock is ticking",
            "clocks ticking", "countdown", "running out of time", "out of time",
            "limited time", "time limited", "time sensitive", "not going to last",
            "wont be able to hold", "not able to hold", "cant guarantee it|this|that|the will|itll be there|available|around",
            "cant promise it|this|that|the will|itll be there|available|around",
            "today only", "tonight only", "only today", "only tonight", "one day only",
            "one time offer", "one time deal", "one time only", "once only",
        ],
    ),
    (
        C::Scarce,
        &[
            "few * left", "few * * left", "last * available", "last * left", "last * remaining",
            "only * * available", "only * available", "only * * remaining", "nearly sold out",
            "almost sold out", "sold out soon", "before it sells out", "before they sell out",
            "only * left", "only * * left", "only * remaining", "left in stock",
            "left at this price", "left at that price", "remaining at this price",
            "last one", "last ones", "last few", "last remaining", "few left", "couple left",
            "limited stock", "limited supply", "limited spots", "limited places",
            "limited availability", "limited number", "limited quantity", "limited slots",
            "limited seats", "selling out", "sell out", "selling fast", "going fast",
            "flying off", "running low", "almost gone", "nearly gone", "high demand",
            "huge demand", "in demand", "while stocks last", "while supplies last",
            "first come first served", "only a handful", "only * spots|places|slots|seats|units",
            "not many left", "hardly any left", "barely any left", "only so many",
            "going quickly", "snapped up", "being snapped up",
        ],
    ),
    (
        C::LossStrong,
        &[
            "gone for good", "lose * forever", "lose * * forever", "lose * * * forever",
            "lose it for good", "wont be back", "never be back", "wont be restocked",
            "miss out", "missing out", "lose out", "losing out", "youll regret",
            "you will regret", "youre going to regret", "regret it later", "regret not",
            "kick yourself", "never see * again", "never see * * again", "never get * again", "never get * * again",
            "wont get * again", "wont get * * again", "wont see * * again",
            "wont see * again", "will not see * again", "never be this cheap",
            "never be this low", "once in a lifetime", "gone forever", "lost forever",
            "throwing money away", "throw money away", "leaving money on the table",
            "back to full price", "pay full price", "pay more later", "cost you more",
            "costing you money", "every day you wait", "every minute you wait",
            "the longer you wait", "you snooze you lose", "wont come around again",
            "wont come again", "never come around again", "never happen again",
            "wont happen again",
        ],
    ),
    (
        C::Loss,
        &[
            "lose", "losing", "lost", "miss", "forfeit", "go up", "goes up", "going up",
            "increase", "increases", "rise", "rises", "higher", "more expensive", "jump",
            "jumps", "double", "doubles", "pay more", "cost more",
        ],
    ),
    (
        C::IfWait,
        &[
            "if you wait", "if you hang up", "if you call back", "if you call us back",
            "if you call me back", "if you think about it", "if you sleep on it",
            "if you leave it", "if you go away", "if you shop around", "if you delay",
            "if you hold off", "if you put it off", "if you dont decide|sign|act|take|buy|commit|lock|accept|do|book|grab|secure|say|go|switch|join",
            "if you do not decide|sign|act|take|buy|commit|lock|accept|do",
            "once you hang up", "when you hang up", "as soon as you hang up",
            "the moment you hang up", "by the time you call back", "by the time you decide",
            "after this call", "after today", "after tonight", "after midnight",
            "after the call", "once this call ends", "if you walk away", "if you wait until",
            "wait any longer", "if you want to think", "if you need to think",
        ],
    ),
    (
        C::Social,
        &[
            "everyone", "everybody", "most people", "most customers", "most of our customers",
            "all our customers", "all of our customers", "thousands", "millions", "hundreds of",
            "your neighbours", "your neighbors", "other customers", "lots of people",
            "so many people", "loads of people", "people are", "most popular", "best seller",
            "bestseller", "best selling", "everyone else", "all your friends", "nine out of ten",
            "9 out of 10", "half of our customers", "customers are", "callers today",
        ],
    ),
    (
        C::Activity,
        &[
            "people|customers|shoppers|guests|travellers|travelers|buyers|others|users|visitors|families|someone|somebody bought|booked|purchased|ordered|reserved|grabbed|snapped",
            "people|customers|shoppers|guests|travellers|travelers|buyers|others|users|visitors|families are|were viewing|looking|watching|booking|buying|eyeing",
            "someone in * bought|booked|purchased|ordered", "other shoppers|customers|people|guests",
            "in their cart|carts|basket|baskets", "sold|bought|booked|purchased in the last|past",
            "booked|sold|bought|viewed|purchased * times today|tonight|this|in",
            "looking at this right now", "viewing this right now", "people have this|these|it in",
        ],
    ),
    (
        C::OptOut,
        &[
            "no thanks", "no thank you", "ill pass", "i will pass", "nah", "skip", "decline",
            "not interested", "maybe later", "not now",
        ],
    ),
    (
        C::SelfHarm,
        &[
            "i dont like saving|save|winning|discounts|deals|money", "i dont want to save|protect|win|be|get|stay|look|feel|learn",
            "i dont care about my|saving|money|deals|discounts", "i prefer paying|to pay|overpaying", "i like overpaying|paying|wasting|losing|missing",
            "i enjoy missing|paying|wasting|losing|overpaying", "im fine with wasting|paying|missing|losing|overpaying",
            "id rather stay|keep|pay|lose|miss|waste|be", "i would rather stay|keep|pay|lose|miss|waste|be",
            "ill keep being|paying|wasting|missing", "ill stay uninformed|disorganized|disorganised|broke",
            "i like overpaying", "paying full price", "i hate saving|money|deals|discounts",
        ],
    ),
    (
        C::NoThink,
        &[
            "dont think about it", "dont think too much", "dont think too long",
            "dont think about it too long", "dont overthink", "no need to think",
            "nothing to think about", "no time to think", "dont wait", "no point waiting",
            "no point in waiting", "why wait", "dont sleep on it|this|that", "no need to sleep on it",
            "dont need to sleep on it", "dont need to think", "no need to ask",
            "dont need to ask", "no need to check with", "dont need to check with",
            "no need to talk to", "dont need to talk to", "dont need to discuss",
            "no need to discuss", "dont need to consult", "no need to consult",
            "dont need to run it by", "no need to run it by", "cant give you time",
            "cant give you more time", "cant call you back", "i cant wait", "cant wait for you",
            "need an answer", "need your answer", "need a decision", "need your decision",
            "yes or no", "take it or leave it", "now or never", "now or not at all",
            "today or never", "its now or", "no second chances", "no second chance",
            "this is your chance", "last chance", "final chance", "final offer",
            "wont ask again", "wont offer this again", "not going to offer this again",
            "cant offer this again", "never offer this again", "cant hold the line",
            "dont hang up", "decide before", "decision before", "answer before",
            "dont have time to think", "no time to waste", "dont let it slip",
            "dont let this slip", "dont let it go", "dont let this go",
        ],
    ),
    (
        C::Shame,
        &[
            "youd be crazy", "you would be crazy", "youd be mad", "you would be mad",
            "youd be foolish", "you would be foolish", "youd be silly", "you would be silly",
            "youd be nuts", "youd be insane", "youd be daft", "only a fool", "only an idiot",
            "smart people", "smart customers", "a smart person", "any sensible person",
            "sensible people", "why would you say no", "why would anyone say no",
            "why would you pass", "who would say no", "who says no to", "who turns down",
            "you dont want to miss", "you wouldnt want to miss", "you dont want to lose",
            "you wouldnt want to lose", "dont you want to save", "surely you want",
            "are you going to pass", "are you going to say no", "are you going to turn",
            "you want to miss", "you want to pass", "you want to lose", "no brainer",
            "dont miss", "do not miss", "dont be the one", "dont be left",
            "youd be a fool", "you would be a fool", "dont be foolish", "be smart",
        ],
    ),
    (
        C::Relief,
        &[
            "no pressure", "take your time", "take all the time", "no rush", "no hurry",
            "in your own time", "whenever youre ready", "when youre ready", "whenever suits",
            "think it over", "think about it", "sleep on it", "talk it over", "discuss it with",
            "talk to your", "check with your", "call us back", "call back whenever",
            "get back to us", "get back to me", "no obligation", "no deadline", "wont expire",
            "doesnt expire", "does not expire", "will still be there", "will still be available",
            "up to you", "your choice", "your decision", "you dont have to decide",
            "you dont need to decide", "dont have to decide", "dont need to decide",
            "no need to decide", "no need to rush", "dont need to rush", "dont have to rush",
            "dont rush", "not in a rush", "any time", "anytime", "whenever you like",
            "whenever you want", "have a think", "mull it over", "no commitment",
            "only if you want", "if you want to",
        ],
    ),
    // --- abuse ------------------------------------------------------------
    (
        C::InsultN,
        &[
            "idiot", "idiots", "moron", "morons", "imbecile", "imbeciles", "cretin", "halfwit",
            "dimwit", "nitwit", "numpty", "muppet", "pillock", "prat", "twit", "dolt", "dunce",
            "simpleton", "bozo", "airhead", "bonehead", "knucklehead", "blockhead", "meathead",
            "dumbass", "jackass", "asshole", "assholes", "arsehole", "dickhead", "douchebag",
            "douche", "jerk", "loser", "clown", "buffoon", "fool", "retard", "tosser", "wanker",
            "twat", "bellend", "scumbag", "lowlife", "crybaby", "whiner", "karen", "peasant",
            "nutcase", "nutjob", "psycho", "weirdo", "idiotic", "moronic", "dipshit", "dumbo",
            "birdbrain", "pea brain", "dingbat", "doofus", "nincompoop", "ignoramus", "bimbo",
            "cow", "pig", "sheep", "donkey", "freak", "fruitcake", "crackpot", "scrounger",
            "dullard", "oaf", "lunatic", "maniac", "parasite", "leech", "pest",
        ],
    ),
    (
        C::InsultAdj,
        &[
            "a complete|total|absolute|real|proper joke|disgrace|embarrassment|failure", "a disgrace",
            "an embarrassment", "a waste of space", "a waste of oxygen",
            "stupid", "dumb", "thick", "dense", "slow", "dumbest", "stupidest", "silliest",
            "thickest", "laziest", "daftest", "clueless", "brainless", "mindless",
            "witless", "incompetent", "useless", "worthless", "pathetic", "ignorant",
            "ridiculous", "absurd", "hysterical", "crazy", "insane", "nuts", "mental",
            "deranged", "delusional", "senile", "illiterate", "hopeless", "lazy", "annoying",
            "irritating", "unreasonable", "dramatic", "whiny", "whingy", "childish", "immature",
            "paranoid", "petty", "greedy", "naive", "gullible", "simple", "daft", "dopey",
            "dozy", "silly", "deaf", "blind", "thick as", "brain dead", "braindead",
            "a joke", "a nightmare", "impossible", "difficult", "a pain", "a nuisance",
            "clumsy", "lame", "dim", "backward", "ungrateful", "entitled", "obnoxious",
        ],
    ),
    (
        C::Target,
        &[
            "question", "questions", "request", "complaint", "complaints", "idea", "ideas",
            "excuse", "excuses", "comment", "comments", "attitude", "behaviour", "behavior",
            "argument", "story", "problem", "whining", "moaning", "demands", "demand", "rant",
            "claim", "reasoning", "logic", "point", "call", "email", "message",
        ],
    ),
    (
        C::ProfStrong,
        &[
            "fuck", "fucking", "fucked", "fuckin", "fucker", "motherfucker", "motherfucking",
            "shit", "shitty", "bullshit", "bitch", "bitching", "bastard", "cunt", "dick",
            "prick", "wanker", "twat", "piss", "pissed", "arse", "ass", "bollocks", "effing",
            "frigging", "friggin", "feck", "fecking", "goddamn", "goddamned", "sodding",
        ],
    ),
    (
        C::ProfMild,
        &[
            "damn", "damned", "bloody", "crap", "crappy", "freaking", "freakin", "the hell",
            "to hell", "what the hell", "hell no", "bloody hell", "like hell", "bleeding",
            "blooming", "flipping", "for gods sake", "for christs sake", "for pete sake",
            "for petes sake", "for heavens sake", "jesus christ", "for crying out loud",
        ],
    ),
    (
        C::AimedProf,
        &[
            "fuck you", "fuck off", "screw you", "go to hell", "piss off", "bugger off",
            "sod off", "get lost", "shove it", "stick it", "kiss my", "up yours", "damn you",
            "bite me", "eat shit", "go fuck", "get stuffed", "naff off", "drop dead",
            "go away", "get off my", "go jump",
        ],
    ),
    (
        C::Dismiss,
        &[
            "nobody asked", "no one asked", "who asked", "nobody cares", "no one cares",
            "using your brain|head", "for once in your life", "someone smarter", "somebody smarter",
            "smarter than you", "know how to read", "cant do anything right", "never do anything right",
            "keep your mouth shut", "shut your mouth|trap|gob|face", "hold your tongue", "so even you",
            "even you can|could|should", "your nonsense|drama|rubbish|drivel|garbage|tantrum|tantrums|bs|bullshit",
            "your sob story", "save your sob story",
            "shut up", "shut it", "be quiet", "keep quiet", "stop whining|complaining|moaning|crying|yelling|shouting|interrupting|talking|bitching|whinging|nagging|harping",
            "pipe down", "zip it", "hush", "i dont care", "who cares", "not my problem",
            "thats your problem", "your problem not", "deal with it", "tough luck", "tough",
            "get over it", "cry me a river", "boo hoo", "grow up", "get a grip", "get a clue",
            "get a life", "use your brain", "use your head", "learn to read", "cant you read",
            "can you not read", "are you even listening", "were you even listening",
            "are you listening", "do you even understand", "do you understand english",
            "how many times do i", "how many times must i", "how many times have i",
            "how many times am i", "how many more times", "i already told you",
            "i told you already", "i told you twice", "ive told you", "ive already told you",
            "i told you before", "i said already", "i dont have all day", "i havent got all day",
            "i dont have time for this|you", "i havent got time for this|you",
            "youre wasting my time", "you are wasting my time", "stop wasting my time",
            "waste of my time", "not rocket science", "even a child", "even a kid",
            "a child could", "a kid could", "a five year old", "a 5 year old",
            "its not that hard", "its not hard", "how hard is it", "how hard can it be",
            "how difficult is it", "you people", "people like you", "whats wrong with you",
            "what is wrong with you", "whats your problem", "what is your problem",
            "youre overreacting", "you are overreacting", "stop overreacting",
            "youre exaggerating", "you are exaggerating", "making a fuss", "making a scene",
            "drama queen", "nobody else complains", "no one else complains",
            "nobody else has a problem", "no one else has a problem",
            "nobody else has this problem", "everyone else manages", "everyone else can",
            "youre the only one", "you are the only one", "your own fault", "your fault",
            "you should have known", "should have read", "you should have listened",
            "did you even read|try|look|bother", "figure it out yourself", "not my job",
            "whatever you say", "spare me", "save your breath", "do your homework",
            "read the manual", "google it", "not my fault you", "blame yourself",
            "you only have yourself to blame", "i dont get paid enough", "get real",
            "give me a break", "give it a rest", "you again", "oh great you again",
            "what do you want now", "what now", "not this again", "here we go again",
            "listen carefully this time", "pay attention", "try to keep up", "keep up",
            "slowly for you", "in simple terms for you", "talk slower for you",
            "do i need to spell it out", "spell it out for you", "obviously you",
            "anyone with half a brain", "half a brain", "with a brain", "common sense",
            "its your problem", "sort it out yourself", "stop being",
        ],
    ),
    (
        C::SelfRef,
        &["i", "im", "me", "my", "myself", "ive", "id", "silly me", "my bad", "i was", "i am", "we", "were", "us"],
    ),
    (
        C::Copula,
        &[
            "are", "were", "be", "being", "so", "such", "very", "too", "totally", "completely",
            "absolutely", "a", "an", "quite", "bit", "little", "pretty", "sound", "seem",
            "look", "must", "acting", "always", "incredibly", "truly", "utterly", "seriously",
            "damn", "bloody", "fucking", "freaking", "the", "most", "as", "that", "this",
            "really", "clearly", "obviously", "simply", "how", "some", "kind", "of", "sort",
            "real", "complete", "total", "big", "little", "effing", "sodding", "stupid", "dumb",
        ],
    ),
    (
        C::Imper,
        &[
            "read", "tell", "give", "listen", "stop", "shut", "look", "answer", "hurry", "move",
            "go", "spell", "repeat", "say", "get", "do", "put", "wait", "hold", "calm", "find",
            "pick", "type", "send", "open", "check", "try",
        ],
    ),
    (C::How, &["how", "so", "too", "such"]),
    (
        C::Generic,
        &["one person", "anyone", "someone", "somebody", "a person", "any one person"],
    ),
    // --- recording notice -------------------------------------------------
    (
        C::RecStrong,
        &[
            "recorded", "recording", "recordings", "record this|the|our|your|all|every|calls|conversations",
            "taped", "taping", "monitored", "monitoring", "monitor", "transcribed", "recorded line",
            "on a recorded", "listened to", "listened in", "listen in", "listen to this call",
        ],
    ),
    (
        C::RecVerb,
        &[
            "reviewed", "review", "kept", "keep", "stored", "store", "saved", "save", "retained",
            "retain", "captured", "capture", "logged", "archived", "archive", "a copy", "copies",
            "heard", "audited", "checked", "sampled", "evaluated", "scored", "assessed",
        ],
    ),
    (
        C::RecObj,
        &[
            "call", "calls", "line", "conversation", "conversations", "chat", "audio",
            "this", "everything", "phone call", "our discussion", "what we say",
            "what is said", "what is discussed", "interaction", "interactions",
        ],
    ),
    (
        C::RecPurpose,
        &[
            "for quality", "for training", "for coaching", "for compliance", "for monitoring",
            "for our records", "for record keeping", "quality and training",
            "training and quality", "quality purposes", "training purposes", "quality assurance",
            "quality control", "service improvement", "to improve our service",
            "to improve our services", "to improve service", "improve the service",
            "regulatory purposes", "regulatory reasons", "compliance purposes",
            "coaching purposes", "quality and compliance", "training and monitoring",
            "quality monitoring", "for security and training", "for security and quality",
            "monitoring purposes", "staff training", "improve the quality",
        ],
    ),
    // --- verification -----------------------------------------------------
    (
        C::IdPhrase,
        &[
            "security question", "security questions", "security check", "security checks",
            "quick security", "through security", "do security", "security details", "security screening", "security process",
            "verify your identity", "confirm your identity", "verify who", "confirm who",
            "verify you", "verify that its you", "confirm its you", "confirm that its you",
            "make sure its you", "make sure it is you", "make sure im speaking",
            "make sure i am speaking", "make sure i have the right person",
            "check its you", "check that its you", "speaking with the account holder",
            "speaking to the account holder", "speaking with the right person",
            "speaking to the right person", "identity", "identify you", "authenticate",
            "authentication", "pass security", "id and v", "idv", "mothers maiden name",
            "maiden name", "memorable word", "memorable information", "memorable date",
            "passcode", "pass code", "passphrase", "pass phrase", "verification code",
            "one time code", "one time passcode", "one time password", "code we sent",
            "code we texted", "code weve sent", "code sent to", "security word",
            "security answer", "secret question", "secret answer", "verbal password",
            "telephone banking password", "data protection", "data protection questions",
            "for data protection", "for security purposes", "for security reasons",
            "for your security", "for your protection", "ask you a few questions",
            "a couple of questions to", "few details to", "some details to",
            "verify some details", "verify a few details", "confirm some details",
            "confirm a few details", "verify your details", "confirm your details",
            "verify the account", "verify your account",
        ],
    ),
    (
        C::IdItem,
        &[
            "date of birth", "dob", "d o b", "birth date", "birthdate", "birthday", "born",
            "postcode", "post code", "postal code", "zip", "zip code", "zipcode",
            "last four", "last 4", "last * digits", "last four digits", "ssn", "social",
            "social security", "password", "pin", "pin number", "first line of your address",
            "first line of the address", "address on the account", "address on file",
            "registered address", "billing address", "address we have", "name on the account",
            "on the account", "on file", "registered", "email address", "on record",
            "full name", "account holder", "account number", "customer number",
            "membership number", "member id", "member number", "policy number",
            "email on file", "email on the account", "email address on the account",
            "email address on file", "phone number on the account", "number on the account",
            "phone number on file", "mobile number on the account", "registered email",
            "registered phone", "registered mobile", "id number", "national insurance",
            "ni number", "sin number", "tax id", "photo id", "driver license", "drivers license",
            "driving licence", "date you opened", "when you opened", "last transaction",
            "last payment amount", "recent transaction", "your address", "your surname",
            "your last name", "the name on",
        ],
    ),
    (
        C::IdAsk,
        &[
            "confirm", "confirming", "verify", "verifying", "verification", "validate",
            "provide", "give me", "tell me", "read me", "read out", "can i have", "could i have",
            "may i have", "can i get", "could i get", "can i take", "could i take",
            "could you give", "could you tell", "can you tell", "can you give", "whats your",
            "what is your", "what was your", "whats the", "what is the", "spell", "state",
            "go through", "run through", "answer", "please", "before i", "before we",
            "need your", "need the", "need to have", "i need", "ill need", "ill just need",
            "let me have", "can you read", "could you read", "can you please", "could you please",
            "would you mind", "if you could", "first", "quickly", "what", "whats", "when",
            "which", "and",
        ],
    ),
    // --- account details --------------------------------------------------
    (
        C::Acct,
        &[
            "balance", "balances", "owe", "owing", "outstanding", "amount due", "payment due",
            "past due", "overdue", "arrears", "statement", "statement balance", "credit limit",
            "available credit", "last payment", "minimum payment", "payoff amount",
            "pay off amount", "in debt", "behind by", "card on file", "card we have",
            "on file",
        ],
    ),
    (
        C::AcctAddr,
        &[
            "address we have", "address on file", "address on the account",
            "registered address", "address is", "have you at", "we have you at",
            "address as", "address shows", "living at", "live at",
        ],
    ),
];

#[derive(Debug, Clone)]
struct Entry {
    /// Per position: alternatives as packed words (empty = any word).
    els: Vec<Vec<u128>>,
    cat: C,
    /// The one word the second position allows, 0 when it allows any word or
    /// several, or there is none: a common first word ("i", "you", "no") starts
    /// 20-40 entries, and most fail on this word, now checked without walking
    /// `els` (two pointer hops per entry).
    second: u128,
}

/// A category hit: words `i..j` of the turn.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    cat: C,
    i: u32,
    j: u32,
}

/// Per-turn buffers, reused.
#[derive(Debug, Default)]
pub struct TurnScratch {
    hits: Vec<Hit>,
    /// Bit set of categories of hits starting at each word.
    start: Vec<u64>,
    /// Clause number of each word.
    clause: Vec<u32>,
    /// First word of each clause.
    clause_first: Vec<u32>,
    /// Bit set of categories hit in each clause.
    clause_mask: Vec<u64>,
    /// Bit set of categories hit anywhere in the turn.
    present: u64,
    /// Packed words of the turn.
    keys: Vec<u128>,
    /// Words whose supporting entries wait for a trigger: (word, list).
    deferred: Vec<(u32, u32)>,
}

/// A finding: the byte range of the words that triggered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// First byte of the first trigger word.
    pub start: usize,
    /// One past the last byte of the last trigger word.
    pub end: usize,
}

/// The compiled lexicons.
#[derive(Debug, Clone)]
pub struct Lexicon {
    entries: Vec<Entry>,
    /// First word → index into `lists`.
    first: HashMap<u128, u32, FnvBuild>,
    /// Entries starting with one word: those of trigger categories first, then
    /// (from the second number on) the supporting ones (hedges, negation,
    /// pronouns, ...), which are matched only in turns where a trigger was found.
    lists: Vec<(Vec<u32>, usize)>,
    /// One bit per hashed first word: most words miss without a hash-map probe.
    bloom: Vec<u64>,
}

const BLOOM_BITS: u32 = 16;

#[inline]
fn bloom_slot(k: u128) -> usize {
    (((k as u64) ^ ((k >> 64) as u64).rotate_left(17)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        >> (64 - BLOOM_BITS)) as usize
}

/// Categories that can start a finding; the others only qualify one.
fn is_trigger(c: C) -> bool {
    (GUARANTEE_TRIGGERS
        | PRESSURE_TRIGGERS
        | ABUSE_TRIGGERS
        | bits(&[
            C::Break,
            C::Urgent,
            C::RecStrong,
            C::RecPurpose,
            C::RecVerb,
            C::IdPhrase,
            C::IdItem,
            C::Acct,
            C::AcctAddr,
        ]))
        & c.bit()
        != 0
}

impl Lexicon {
    /// Compile, normalising each word with `norm` (the rule set's aliases;
    /// `None` for a filler, which is dropped as it is from text).
    pub fn new(norm: &dyn Fn(&str) -> Option<String>) -> Lexicon {
        let mut entries = Vec::new();
        for (cat, phrases) in LEXICON {
            for p in *phrases {
                let mut els: Vec<Vec<u128>> = Vec::new();
                for part in p.split_whitespace() {
                    if part == "*" {
                        els.push(Vec::new());
                        continue;
                    }
                    // Lexicon words are at most 16 bytes, so each packs into a key.
                    let alts: Vec<u128> = part
                        .split('|')
                        .filter_map(norm)
                        .filter_map(|w| key(w.as_bytes()))
                        .collect();
                    if !alts.is_empty() {
                        els.push(alts);
                    }
                }
                if els.first().is_some_and(|f| !f.is_empty()) {
                    let second = match els.get(1).map(Vec::as_slice) {
                        Some(&[k]) => k,
                        _ => 0,
                    };
                    entries.push(Entry {
                        els,
                        cat: *cat,
                        second,
                    });
                }
            }
        }
        let mut by_word: HashMap<u128, Vec<u32>, FnvBuild> = HashMap::default();
        for (ei, e) in entries.iter().enumerate() {
            for &k in e.els.first().into_iter().flatten() {
                by_word.entry(k).or_default().push(ei as u32);
            }
        }
        let mut first: HashMap<u128, u32, FnvBuild> = HashMap::default();
        let mut lists = Vec::new();
        let mut bloom = vec![0u64; 1 << (BLOOM_BITS - 6)];
        for (k, mut es) in by_word {
            es.sort_by_key(|&ei| !is_trigger(entries[ei as usize].cat));
            let ntrig = es
                .iter()
                .filter(|&&ei| is_trigger(entries[ei as usize].cat))
                .count();
            first.insert(k, lists.len() as u32);
            lists.push((es, ntrig));
            let slot = bloom_slot(k);
            bloom[slot >> 6] |= 1 << (slot & 63);
        }
        Lexicon {
            entries,
            first,
            lists,
            bloom,
        }
    }

    /// Categorise the words of a turn into `sc`.
    pub fn categorise(&self, n: &Norm, text: &str, sc: &mut TurnScratch) {
        sc.hits.clear();
        sc.start.clear();
        sc.start.resize(n.len(), 0);
        // Packed words (0 for a word too long to pack: it matches nothing).
        sc.keys.clear();
        sc.keys.extend_from_slice(n.keys());
        sc.deferred.clear();
        for i in 0..n.len() {
            let k = sc.keys[i];
            let slot = bloom_slot(k);
            if self.bloom[slot >> 6] & (1 << (slot & 63)) == 0 {
                continue;
            }
            let Some(&li) = self.first.get(&k) else {
                continue;
            };
            let (es, ntrig) = &self.lists[li as usize];
            self.match_entries(&es[..*ntrig], i, n, sc);
            if *ntrig < es.len() {
                sc.deferred.push((i as u32, li));
            }
        }
        let found = sc.start.iter().fold(0u64, |a, &m| a | m);
        // Pressure needs a time with a decision or a loss unless a strong category is there.
        let pressure = found & (PRESSURE_TRIGGERS & !bits(&[C::Decide, C::Loss])) != 0
            || (found & C::Urgent.bit() != 0 && found & bits(&[C::Decide, C::Loss]) != 0);
        let others = GUARANTEE_TRIGGERS
            | ABUSE_TRIGGERS
            | bits(&[C::RecVerb, C::IdItem, C::Acct, C::AcctAddr]);
        if pressure || found & others != 0 {
            for d in 0..sc.deferred.len() {
                let (i, li) = sc.deferred[d];
                let (es, ntrig) = &self.lists[li as usize];
                self.match_entries(&es[*ntrig..], i as usize, n, sc);
            }
        }
        self.clauses(n, sc);
        let _ = text;
    }

    fn match_entries(&self, es: &[u32], i: usize, n: &Norm, sc: &mut TurnScratch) {
        {
            let sent = n.sentence(i);
            for &ei in es {
                let e = &self.entries[ei as usize];
                // Same outcome as the walk below when the second word differs.
                if e.second != 0 && sc.keys.get(i + 1) != Some(&e.second) {
                    continue;
                }
                // The index found the first word; match the rest.
                let mut j = i + 1;
                let mut ok = true;
                for alts in e.els.iter().skip(1) {
                    if j >= n.len() || n.sentence(j) != sent {
                        ok = false;
                        break;
                    }
                    if !alts.is_empty() && !alts.contains(&sc.keys[j]) {
                        ok = false;
                        break;
                    }
                    j += 1;
                }
                if ok {
                    sc.hits.push(Hit {
                        cat: e.cat,
                        i: i as u32,
                        j: j as u32,
                    });
                    sc.start[i] |= e.cat.bit();
                }
            }
        }
    }

    /// Clauses: a new sentence, or a contrast word ("but", "however").
    fn clauses(&self, n: &Norm, sc: &mut TurnScratch) {
        sc.clause.clear();
        sc.clause_first.clear();
        sc.clause_mask.clear();
        sc.present = 0;
        let mut clause = 0u32;
        for i in 0..n.len() {
            if i > 0 && (n.sentence(i) != n.sentence(i - 1) || sc.start[i] & C::Break.bit() != 0) {
                clause += 1;
            }
            if sc.clause_first.len() <= clause as usize {
                sc.clause_first.push(i as u32);
                sc.clause_mask.push(0);
            }
            sc.clause.push(clause);
            if let Some(m) = sc.clause_mask.last_mut() {
                *m |= sc.start[i];
            }
            sc.present |= sc.start[i];
        }
    }
}

/// What the detectors read for one turn.
struct View<'a> {
    n: &'a Norm,
    text: &'a str,
    sc: &'a TurnScratch,
}

impl View<'_> {
    fn has(&self, i: usize, c: C) -> bool {
        self.sc.start.get(i).is_some_and(|m| m & c.bit() != 0)
    }
    fn hits(&self, c: C) -> impl Iterator<Item = &Hit> + '_ {
        self.sc.hits.iter().filter(move |h| h.cat == c)
    }
    fn clause(&self, i: u32) -> u32 {
        self.sc.clause.get(i as usize).copied().unwrap_or(0)
    }
    fn sentence(&self, i: u32) -> u32 {
        self.n.sentence(i as usize)
    }
    /// A hit of category `c` ends at most `window` words before word `at`, in
    /// the same clause.
    fn before(&self, c: C, at: u32, window: u32) -> bool {
        let cl = self.clause(at);
        self.hits(c)
            .any(|h| h.j <= at && at - h.j <= window && self.clause(h.i) == cl)
    }
    fn negated(&self, h: &Hit, window: u32) -> bool {
        self.before(C::Neg, h.i, window)
    }
    /// Hits of `c` in clause `cl` (or sentence `s` when `by_sentence`).
    fn in_scope<'b>(
        &'b self,
        c: C,
        cl: u32,
        by_sentence: bool,
    ) -> impl Iterator<Item = &'b Hit> + 'b {
        self.hits(c).filter(move |h| {
            if by_sentence {
                self.sentence(h.i) == cl
            } else {
                self.clause(h.i) == cl
            }
        })
    }
    /// The sentence of word `i` ends with a question mark.
    fn question(&self, i: u32) -> bool {
        let s = self.sentence(i);
        let mut last = i as usize;
        while last + 1 < self.n.len() && self.n.sentence(last + 1) == s {
            last += 1;
        }
        let end = self.n.orig_end(last);
        self.text
            .as_bytes()
            .get(end..)
            .unwrap_or(&[])
            .iter()
            .find(|b| !b.is_ascii_whitespace() && !matches!(b, b'"' | b'\'' | b')'))
            .is_some_and(|&b| b == b'?')
    }
    /// Word `i` is inside quotation marks opened in its sentence.
    fn quoted(&self, i: u32) -> bool {
        let s = self.sentence(i);
        let mut first = i as usize;
        while first > 0 && self.n.sentence(first - 1) == s {
            first -= 1;
        }
        let from = self.n.orig_start(first).saturating_sub(1);
        let to = self.n.orig_start(i as usize);
        let seg = self.text.get(from..to).unwrap_or("");
        let q = seg.matches(['"', '\u{201c}', '\u{201d}']).count();
        // Single quotes count only where they are not apostrophes: not between two
        // letters or digits ("'Stop whining', the title" yes; "book's" no).
        let b = seg.as_bytes();
        let singles = seg
            .char_indices()
            .filter(|&(k, c)| {
                matches!(c, '\'' | '\u{2018}' | '\u{2019}') && {
                    let before = k
                        .checked_sub(1)
                        .and_then(|x| b.get(x))
                        .is_some_and(|x| x.is_ascii_alphanumeric());
                    let after = b
                        .get(k + c.len_utf8())
                        .is_some_and(|x| x.is_ascii_alphanumeric());
                    !(before && after)
                }
            })
            .count();
        q % 2 == 1 || singles % 2 == 1
    }
    /// A comma (or colon, dash) separates word `i` from the word before it.
    /// Normalised word `i`, or nothing past the end of the turn.
    fn word(&self, i: usize) -> &str {
        if i < self.n.len() {
            self.n.word_at(i)
        } else {
            ""
        }
    }
    /// The first word of the sentence holding word `i`.
    fn sentence_first(&self, i: u32) -> u32 {
        let s = self.sentence(i);
        let mut k = i as usize;
        while k > 0 && self.n.sentence(k - 1) == s {
            k -= 1;
        }
        k as u32
    }
    /// Word `i` opens an order: it starts its sentence or a comma clause, perhaps
    /// after "so", "please", "hurry", "go ahead and".
    fn opens_order(&self, i: u32) -> bool {
        let first = self.sentence_first(i);
        let mut k = i;
        loop {
            if k == first || self.after_comma(k) {
                return true;
            }
            if !matches!(
                self.n.word_at(k as usize - 1),
                "so" | "please" | "hurry" | "and" | "go" | "ahead" | "then" | "now"
            ) {
                return false;
            }
            k -= 1;
        }
    }
    /// "expires in 07:51:57", "ends in 2h": an expiry followed by a running time.
    fn countdown_after(&self, j: u32) -> bool {
        let j = j as usize;
        j + 1 < self.n.len()
            && self.n.word_at(j) == "in"
            && self.n.sentence(j + 1) == self.n.sentence(j)
            && self
                .n
                .word_at(j + 1)
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_digit())
    }
    fn after_comma(&self, i: u32) -> bool {
        let i = i as usize;
        i > 0
            && self
                .text
                .get(self.n.orig_end(i - 1)..self.n.orig_start(i))
                .is_some_and(|g| g.contains([',', ':', '-', '\u{2014}']))
    }
    fn bytes(&self, i: u32, j: u32) -> Found {
        Found {
            start: self.n.orig_start(i as usize),
            end: self
                .n
                .orig_end((j as usize).saturating_sub(1).max(i as usize)),
        }
    }
}

/// Run the detector for `f` over a categorised turn; findings go to `out`.
pub fn detect(f: Function, n: &Norm, text: &str, sc: &TurnScratch, out: &mut Vec<Found>) {
    let v = View { n, text, sc };
    // Nothing that could trigger the function: skip it (most turns).
    let triggers = match f {
        Function::Guarantee => GUARANTEE_TRIGGERS,
        Function::Pressure => PRESSURE_TRIGGERS,
        Function::Abuse => ABUSE_TRIGGERS,
        Function::RecordingNotice => bits(&[C::RecStrong, C::RecPurpose, C::RecVerb]),
        Function::Verification => bits(&[C::IdPhrase, C::IdItem]),
        Function::AccountDetail => bits(&[C::Acct, C::AcctAddr]),
        // Run by the empathy lexicon (`RuleSet::detect`), not this one.
        Function::Empathy(_) => return,
    };
    if sc.present & triggers == 0 {
        return;
    }
    match f {
        Function::Guarantee => guarantee(&v, out),
        Function::Pressure => pressure(&v, out),
        Function::Abuse => abuse(&v, out),
        Function::RecordingNotice => recording(&v, out),
        Function::Verification => verification(&v, out),
        Function::AccountDetail => account_detail(&v, out),
        Function::Empathy(_) => {}
    }
}

const fn bits(cs: &[C]) -> u64 {
    let mut m = 0u64;
    let mut i = 0;
    while i < cs.len() {
        m |= 1u64 << (cs[i] as u8);
        i += 1;
    }
    m
}

const ABUSE_TRIGGERS: u64 = bits(&[
    C::InsultN,
    C::InsultAdj,
    C::ProfStrong,
    C::ProfMild,
    C::AimedProf,
    C::Dismiss,
]);
const GUARANTEE_TRIGGERS: u64 = bits(&[C::Boost, C::SelfGuar, C::Adverse, C::Approval]);
const PRESSURE_TRIGGERS: u64 = bits(&[
    C::Activity,
    C::SelfHarm,
    C::Shame,
    C::NoThink,
    C::Scarce,
    C::LossStrong,
    C::ExpireStrong,
    C::Expire,
    C::Decide,
    C::IfWait,
    C::Social,
    C::Loss,
]);

fn overlaps(a: &Hit, b: &Hit) -> bool {
    a.i < b.j && b.i < a.j
}

fn guarantee(v: &View<'_>, out: &mut Vec<Found>) {
    for (cl, (&first, &mask)) in v.sc.clause_first.iter().zip(&v.sc.clause_mask).enumerate() {
        if mask & GUARANTEE_TRIGGERS == 0 {
            continue;
        }
        let cl = cl as u32;
        let sent = v.sentence(first);
        if v.question(first) {
            continue;
        }
        // A hedge, or a negated certainty marker ("nobody can promise ..."), takes
        // the whole clause out of certainty.
        if v.in_scope(C::Hedge, cl, false).next().is_some()
            || v.in_scope(C::Boost, cl, false).any(|b| v.negated(b, 3))
            || v.in_scope(C::NotBoost, cl, false)
                .any(|x| v.n.word_at(x.i as usize) == "no")
        {
            continue;
        }
        // A condition on the outcome itself ("if it's approved", "once the bank
        // reviews it") makes the assurance conditional.
        let conditional = v.in_scope(C::Cond, sent, true).any(|c| {
            v.sc.hits.iter().any(|h| {
                matches!(h.cat, C::Outcome | C::Approval | C::Adverse | C::CondTopic)
                    && h.i >= c.j
                    && h.i < c.j + 6
                    && v.sentence(h.i) == sent
            })
        });
        if conditional {
            continue;
        }
        let reported = |h: &Hit| {
            v.quoted(h.i)
                || v.hits(C::Report)
                    .any(|r| r.j <= h.i + 1 && v.sentence(r.i) == sent)
        };
        // The agent's own action right after the marker ("I'll definitely submit
        // it", "I promise I'll call"): a commitment, not a guarantee.
        let controlled = |b: &Hit| {
            v.in_scope(C::Control, cl, false)
                .any(|c| c.i >= b.j && c.i - b.j <= 4 && v.before(C::FirstPerson, c.i, 2))
        };
        let mut found: Option<(u32, u32)> = None;
        let mut take = |i: u32, j: u32| {
            found = Some(found.map_or((i, j), |(a, b)| (a.min(i), b.max(j))));
        };
        // A: booster near an outcome.
        for b in v.in_scope(C::Boost, cl, false) {
            if v.negated(b, 3)
                || v.hits(C::NotBoost).any(|x| overlaps(x, b))
                || reported(b)
                || controlled(b)
            {
                continue;
            }
            if let Some(o) = v
                .in_scope(C::Outcome, cl, false)
                .chain(v.in_scope(C::Approval, cl, false))
                .filter(|o| !overlaps(o, b))
                .filter(|o| (o.i > b.i && o.i - b.j <= 9) || (o.i < b.i && b.i - o.j <= 9))
                .min_by_key(|o| o.i.abs_diff(b.i))
            {
                take(b.i.min(o.i), b.j.max(o.j));
            }
        }
        // B: self-contained assurance.
        for g in v.in_scope(C::SelfGuar, cl, false) {
            if !v.negated(g, 3) && !reported(g) {
                take(g.i, g.j);
            }
        }
        // C: an adverse outcome ruled out ("no way you'll be declined").
        for a in v.in_scope(C::Adverse, cl, false) {
            if reported(a) {
                continue;
            }
            let neg = v
                .in_scope(C::Neg, cl, false)
                .filter(|x| x.j <= a.i && a.i - x.j <= 4)
                .min_by_key(|x| a.i - x.j);
            if let Some(x) = neg {
                // "won't go up" needs a price; being declined needs nothing more.
                let price_move = matches!(
                    v.n.word_at(a.i as usize),
                    "go" | "goes" | "increase" | "increases" | "rise"
                );
                let about_price = v.in_scope(C::Outcome, cl, false).any(|o| {
                    matches!(
                        v.n.word_at(o.i as usize),
                        "price"
                            | "prices"
                            | "rate"
                            | "rates"
                            | "interest"
                            | "apr"
                            | "fee"
                            | "fees"
                            | "cost"
                            | "costs"
                    )
                });
                let money = matches!(v.n.word_at(a.i as usize), "lose");
                // "you won't lose money" needs the customer as its subject.
                let ok = if money {
                    v.in_scope(C::Second, cl, false).next().is_some()
                } else {
                    !price_move || about_price
                };
                if ok {
                    take(x.i, a.j);
                }
            }
        }
        // D: "you will be approved".
        for a in v.in_scope(C::Approval, cl, false) {
            if reported(a) || v.negated(a, 3) {
                continue;
            }
            if let Some(w) = v
                .in_scope(C::Will, cl, false)
                .find(|w| w.j <= a.i && a.i - w.j <= 2)
            {
                take(w.i, a.j);
            }
        }
        if let Some((i, j)) = found {
            out.push(v.bytes(i, j));
        }
    }
}

fn pressure(v: &View<'_>, out: &mut Vec<Found>) {
    const STRONG: [C; 5] = [C::Shame, C::NoThink, C::Scarce, C::LossStrong, C::Activity];
    const ALL: [C; 15] = [
        C::Activity,
        C::Urgent,
        C::Decide,
        C::Push,
        C::Offer,
        C::Expire,
        C::ExpireStrong,
        C::Scarce,
        C::LossStrong,
        C::Loss,
        C::IfWait,
        C::Social,
        C::NoThink,
        C::Shame,
        C::Relief,
    ];
    let mut live: Vec<Hit> = Vec::new();
    for (cl, (&first, &mask)) in v.sc.clause_first.iter().zip(&v.sc.clause_mask).enumerate() {
        if mask & PRESSURE_TRIGGERS == 0 {
            continue;
        }
        let cl = cl as u32;
        let question = v.question(first);
        live.clear();
        for c in ALL {
            for h in v.in_scope(c, cl, false) {
                let self_negating = matches!(h.cat, C::NoThink | C::IfWait | C::Relief | C::Shame);
                if !self_negating && v.negated(h, 3) {
                    continue;
                }
                if v.quoted(h.i) {
                    continue;
                }
                if h.cat == C::Urgent
                    && h.i > 0
                    && matches!(
                        v.n.word_at(h.i as usize - 1),
                        "for" | "until" | "till" | "by" | "since" | "of" | "from"
                    )
                {
                    continue;
                }
                live.push(*h);
            }
        }
        // Relief swallowed by a pressure phrase ("don't think about it") is not relief.
        let relief = live.iter().any(|r| {
            r.cat == C::Relief
                && !live.iter().any(|p| {
                    p.cat != C::Relief
                        && p.cat != C::Offer
                        && p.cat != C::Decide
                        && p.cat != C::Push
                        && overlaps(p, r)
                        && (p.j - p.i) > (r.j - r.i)
                })
        });
        let get = |c: C| live.iter().filter(move |h| h.cat == c);
        let any = |c: C| live.iter().any(|h| h.cat == c);
        let mut used: Vec<Hit> = Vec::new();
        // Strong categories stand alone (also in a question: "are you going to pass?").
        for c in STRONG {
            used.extend(get(c).copied());
        }
        if !question && !relief {
            if any(C::ExpireStrong) {
                used.extend(get(C::ExpireStrong).copied());
            }
            // An expiry is pressure when what expires is something to get ("the offer
            // ends tonight"), not any event ("the meeting ends in ten minutes").
            let countdown = get(C::Expire).any(|h| v.countdown_after(h.j));
            if any(C::Expire) && (any(C::Urgent) || countdown) && (any(C::Offer) || any(C::Decide))
            {
                used.extend(get(C::Expire).chain(get(C::Urgent)).copied());
            }
            // An order to decide now: "buy now", "book today", "order in the next hour".
            if any(C::Urgent) {
                if let Some(d) = get(C::Decide).find(|d| v.opens_order(d.i)) {
                    used.push(*d);
                    used.extend(get(C::Urgent).copied());
                }
            }
            if any(C::Decide) && any(C::Urgent) && (any(C::Push) || any(C::Loss)) {
                used.extend(get(C::Decide).chain(get(C::Urgent)).copied());
            }
            if any(C::IfWait)
                && (any(C::Loss) || any(C::Expire) || any(C::ExpireStrong) || any(C::Scarce))
            {
                used.extend(
                    get(C::IfWait)
                        .chain(get(C::Loss))
                        .chain(get(C::Expire))
                        .copied(),
                );
            }
            if any(C::Loss) && (any(C::Offer) || any(C::Decide)) && any(C::Urgent) {
                used.extend(get(C::Loss).chain(get(C::Urgent)).copied());
            }
            if any(C::Social) && any(C::Decide) {
                used.extend(get(C::Social).chain(get(C::Decide)).copied());
            }
        } else if relief {
            // Relief in the clause cancels all but confirmshaming and refusing time.
            used.retain(|h| matches!(h.cat, C::Shame | C::NoThink));
        }
        if used.is_empty() {
            continue;
        }
        let i = used.iter().map(|h| h.i).min().unwrap_or(0);
        let j = used.iter().map(|h| h.j).max().unwrap_or(i + 1);
        out.push(v.bytes(i, j));
    }
    // Confirmshaming: an opt-out worded as wanting a loss ("No thanks, I like
    // overpaying"). Wanting a loss alone is a statement; with a refusal it is the
    // shaming label of a decline button or a sales script.
    for h in v.hits(C::SelfHarm) {
        let s = v.sentence(h.i);
        let refused = v
            .hits(C::OptOut)
            .find(|o| v.sentence(o.i) == s)
            .copied()
            .or_else(|| {
                let first = v.sentence_first(h.i);
                matches!(v.n.word_at(first as usize), "no" | "nope" | "nah").then_some(Hit {
                    i: first,
                    j: first + 1,
                    cat: C::OptOut,
                })
            });
        if let Some(o) = refused {
            // Not again where a clause finding already covers the words.
            let words = v.bytes(h.i, h.j);
            if !out
                .iter()
                .any(|f| f.start <= words.start && words.end <= f.end)
            {
                out.push(v.bytes(o.i.min(h.i), o.j.max(h.j)));
            }
        }
    }
}

fn abuse(v: &View<'_>, out: &mut Vec<Found>) {
    let mut used: Vec<(u32, u32)> = Vec::new();
    let self_ref = |h: &Hit| {
        // "I'm such an idiot", "silly me": the speaker about themselves.
        v.hits(C::SelfRef)
            .any(|s| s.j <= h.i && h.i - s.j <= 3 && v.clause(s.i) == v.clause(h.i))
            && !v
                .hits(C::Second)
                .any(|s| s.i < h.i && h.i - s.i <= 4 && v.clause(s.i) == v.clause(h.i))
    };
    let reported = |h: &Hit| {
        v.quoted(h.i)
            || v.hits(C::Report)
                .any(|r| r.j <= h.i + 1 && v.sentence(r.i) == v.sentence(h.i))
    };
    // Second person aimed at by copula/intensifier chain: "you're so dense", "are you deaf".
    let aimed_adj = |h: &Hit| -> Option<u32> {
        let mut k = h.i as i64 - 1;
        let mut steps = 0;
        while k >= 0 && steps < 5 {
            let ku = k as usize;
            if v.n.sentence(ku) != v.sentence(h.i) {
                break;
            }
            if v.has(ku, C::Second) {
                return Some(k as u32);
            }
            if !v.has(ku, C::Copula) {
                break;
            }
            k -= 1;
            steps += 1;
        }
        // "how dense can you be", "so stupid you ..."
        if (1..=3).any(|d| h.i >= d && v.has((h.i - d) as usize, C::How)) {
            for d in 1..=3u32 {
                let k = (h.j + d - 1) as usize;
                if k < v.n.len()
                    && v.n.sentence(k) == v.sentence(h.i)
                    && (v.has(k, C::Second) || v.has(k, C::Generic))
                {
                    return Some(h.i - 1);
                }
            }
        }
        None
    };
    let has_second = |h: &Hit, window: u32| {
        v.hits(C::Second)
            .any(|s| v.sentence(s.i) == v.sentence(h.i) && (s.i.abs_diff(h.i) <= window))
    };
    // An order: the verb opens the sentence or a comma clause, perhaps after
    // discourse markers ("oh", "look", "you know").
    let imperative = |h: &Hit| {
        v.hits(C::Imper).any(|x| {
            if v.sentence(x.i) != v.sentence(h.i) {
                return false;
            }
            let mut k = x.i as usize;
            while k > 0 && v.n.sentence(k - 1) == v.n.sentence(x.i as usize) {
                if v.after_comma(k as u32) {
                    return true;
                }
                if !matches!(
                    v.n.word_at(k - 1),
                    "oh" | "so"
                        | "look"
                        | "listen"
                        | "okay"
                        | "ok"
                        | "well"
                        | "now"
                        | "right"
                        | "please"
                        | "you"
                        | "know"
                        | "i"
                        | "mean"
                        | "come"
                        | "on"
                        | "god"
                        | "sir"
                        | "madam"
                        | "mate"
                        | "pal"
                ) {
                    return false;
                }
                k -= 1;
            }
            true
        })
    };
    for h in &v.sc.hits {
        let ok = match h.cat {
            C::InsultN => !v.negated(h, 2) && !self_ref(h) && !reported(h),
            C::InsultAdj => {
                if v.negated(h, 3) || reported(h) {
                    false
                } else if let Some(k) = aimed_adj(h) {
                    used.push((k, h.j));
                    false
                } else {
                    // "a stupid question", "that ridiculous complaint of yours"
                    v.hits(C::Target)
                        .any(|t| t.i >= h.j && t.i - h.j <= 1 && v.sentence(t.i) == v.sentence(h.i))
                }
            }
            C::AimedProf => !v.negated(h, 2) && !reported(h),
            C::ProfStrong => !reported(h) && (has_second(h, 100) || imperative(h)),
            C::ProfMild => {
                !reported(h)
                    && (has_second(h, 3) || imperative(h) || v.n.word_at(h.i as usize) == "for")
            }
            // "I don't care about my health" is about the speaker, not the customer.
            C::Dismiss => {
                let about_self = v.word(h.j as usize) == "about"
                    && matches!(
                        v.word(h.j as usize + 1),
                        "my" | "myself" | "our" | "ourselves"
                    );
                !v.negated(h, 3) && !reported(h) && !about_self
            }
            _ => false,
        };
        if ok {
            used.push((h.i, h.j));
        }
    }
    // One finding per sentence.
    used.sort_unstable();
    let mut last_sentence = u32::MAX;
    for (i, j) in used {
        let s = v.sentence(i);
        if s == last_sentence {
            if let Some(f) = out.last_mut() {
                f.end = f.end.max(v.bytes(i, j).end);
            }
            continue;
        }
        last_sentence = s;
        out.push(v.bytes(i, j));
    }
}

fn recording(v: &View<'_>, out: &mut Vec<Found>) {
    if let Some(h) = v.hits(C::RecStrong).chain(v.hits(C::RecPurpose)).next() {
        out.push(v.bytes(h.i, h.j));
        return;
    }
    for h in v.hits(C::RecVerb) {
        let s = v.sentence(h.i);
        if let Some(o) = v.hits(C::RecObj).find(|o| v.sentence(o.i) == s) {
            out.push(v.bytes(h.i.min(o.i), h.j.max(o.j)));
            return;
        }
    }
}

fn verification(v: &View<'_>, out: &mut Vec<Found>) {
    for h in v.hits(C::IdPhrase) {
        if !v.negated(h, 2) {
            out.push(v.bytes(h.i, h.j));
            return;
        }
    }
    for h in v.hits(C::IdItem) {
        let s = v.sentence(h.i);
        if v.question(h.i) {
            out.push(v.bytes(h.i, h.j));
            return;
        }
        if let Some(a) = v.hits(C::IdAsk).find(|a| v.sentence(a.i) == s) {
            out.push(v.bytes(h.i.min(a.i), h.j.max(a.j)));
            return;
        }
    }
}

/// An account detail stated to the customer: a balance or amount word, or a
/// card on file, with a figure in the same sentence; or the address on file.
fn account_detail(v: &View<'_>, out: &mut Vec<Found>) {
    let bytes = v.text.as_bytes();
    for h in v.hits(C::Acct).chain(v.hits(C::AcctAddr)) {
        if v.question(h.i) || v.negated(h, 1) {
            continue;
        }
        let s = v.sentence(h.i);
        let (from, to) = v.n.sentence_bounds(s);
        let seg = bytes.get(from..to).unwrap_or(&[]);
        let figure = seg.iter().any(u8::is_ascii_digit)
            || (0..v.n.len()).any(|k| {
                let w = v.n.word_at(k).as_bytes();
                v.n.sentence(k) == s
                    && (crate::words::number_word(w).is_some()
                        || crate::words::digit_word(w).is_some()
                        || w == b"hundred"
                        || w == b"thousand")
            });
        // An address read out needs no figure (house names, "H.No." cut the sentence).
        if figure || h.cat == C::AcctAddr {
            out.push(v.bytes(h.i, h.j));
            return;
        }
    }
}
